package dev.pier.watcher.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/** The user documentation lists exactly what exists: every flag of --help, every value of the chart. */
class DocumentedTest {
    private static final Path DOCS = Path.of("../docs");

    @Test
    void theFlagsTableListsEveryFlagAndNoOther() throws Exception {
        Set<String> flags = new TreeSet<>();
        for (OptionSpec o : Main.commandLine().getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp()) {
                flags.add(o.longestName());
            }
        }
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `--(\\[no-])?([a-z0-9-]+)").matcher(
                Files.readString(DOCS.resolve("configuration.md")));
        while (m.find()) {
            documented.add("--" + m.group(2));
        }
        assertThat(documented).isEqualTo(flags);
    }

    @Test
    void theValuesTableListsEveryChartValueAndNoOther() throws Exception {
        Set<String> values = leaves(Files.readAllLines(Path.of("../charts/pier/values.yaml")));
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `([A-Za-z0-9_.]+)` \\|").matcher(
                Files.readString(DOCS.resolve("install.md")));
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertThat(documented).isEqualTo(values);
    }

    /** The build's message for a JDK that is too old names scripts that exist (it named scripts/demo.sh once). */
    @Test
    void theEnforcersMessageNamesScriptsThatExist() throws Exception {
        Matcher message = Pattern.compile("<message>([^<]*)</message>").matcher(Files.readString(Path.of("../pom.xml")));
        assertThat(message.find()).isTrue();
        Matcher scripts = Pattern.compile("[a-z]+(/[A-Za-z0-9_.-]+)+\\.sh").matcher(message.group(1));
        int named = 0;
        while (scripts.find()) {
            named++;
            assertThat(Path.of("..", scripts.group())).as(scripts.group()).isRegularFile();
        }
        assertThat(named).isPositive();
    }

    /** The dotted paths of values.yaml's leaves (a key with a value on its line), by indentation. */
    private static Set<String> leaves(Iterable<String> lines) {
        Set<String> out = new TreeSet<>();
        Deque<String[]> parents = new ArrayDeque<>(); // {indent, key}
        Pattern key = Pattern.compile("^( *)([A-Za-z0-9_]+):(.*)$");
        for (String line : lines) {
            Matcher m = key.matcher(line);
            if (line.isBlank() || line.strip().startsWith("#") || !m.matches()) {
                continue;
            }
            int indent = m.group(1).length();
            while (!parents.isEmpty() && Integer.parseInt(parents.peek()[0]) >= indent) {
                parents.pop();
            }
            StringBuilder path = new StringBuilder();
            parents.descendingIterator().forEachRemaining(p -> path.append(p[1]).append('.'));
            path.append(m.group(2));
            if (m.group(3).isBlank()) {
                parents.push(new String[] {Integer.toString(indent), m.group(2)});
            } else {
                out.add(path.toString());
            }
        }
        return out;
    }
}
