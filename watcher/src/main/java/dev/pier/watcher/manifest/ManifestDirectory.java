package dev.pier.watcher.manifest;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads the Kubernetes objects in every {@code .yaml}, {@code .yml} and {@code .json} file below a directory, the
 * same files a user would {@code kubectl apply}: multi-document YAML and {@code List} kinds included, parsed by
 * fabric8. Objects without a namespace go to {@code default}.
 *
 * <p>A file that does not parse is reported with the parser's message, and the objects it held the last time it
 * parsed are used instead: a typo in one file never takes down the routes of the others, or its own.
 *
 * <p>Confined to one thread (it remembers the last good objects of each file).
 */
public final class ManifestDirectory {
    /** A file that could not be read or parsed. */
    public record FileError(Path file, String message) {
        @Override
        public String toString() {
            return file + ": " + message;
        }
    }

    /** What the directory holds now. */
    public record Snapshot(List<HasMetadata> objects, List<FileError> errors) {}

    private final Path root;
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private final Map<Path, List<HasMetadata>> lastGood = new HashMap<>();

    public ManifestDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Snapshot read() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).filter(ManifestDirectory::isManifest).sorted().toList();
        }
        List<HasMetadata> objects = new ArrayList<>();
        List<FileError> errors = new ArrayList<>();
        Map<Path, List<HasMetadata>> seen = new HashMap<>();
        for (Path file : files) {
            try {
                List<HasMetadata> parsed = parse(file);
                seen.put(file, parsed);
                objects.addAll(parsed);
            } catch (IOException | RuntimeException e) {
                errors.add(new FileError(root.relativize(file), message(e)));
                List<HasMetadata> previous = lastGood.get(file);
                if (previous != null) {
                    seen.put(file, previous);
                    objects.addAll(previous);
                }
            }
        }
        lastGood.clear();
        lastGood.putAll(seen);
        return new Snapshot(objects, errors);
    }

    static boolean isManifest(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    private static List<HasMetadata> parse(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in);
        }
    }

    /**
     * The Kubernetes objects in one YAML or JSON stream: every document, the items of {@code List} kinds, each with
     * namespace {@code default} when it names none.
     *
     * @throws RuntimeException when the stream does not parse or holds something other than named objects
     */
    public static List<HasMetadata> parse(InputStream in) {
        List<HasMetadata> out = new ArrayList<>();
        collect(SERIALIZATION.unmarshal(in), out);
        for (HasMetadata o : out) {
            if (o.getMetadata() == null || o.getMetadata().getName() == null) {
                throw new IllegalArgumentException(o.getKind() + " without metadata.name");
            }
            if (o.getMetadata().getNamespace() == null || o.getMetadata().getNamespace().isEmpty()) {
                o.getMetadata().setNamespace("default");
            }
        }
        return out;
    }

    private static void collect(Object parsed, List<HasMetadata> out) {
        if (parsed == null) {
            return;
        }
        if (parsed instanceof KubernetesList list) {
            list.getItems().forEach(i -> collect(i, out));
        } else if (parsed instanceof List<?> docs) {
            docs.forEach(d -> collect(d, out));
        } else if (parsed instanceof HasMetadata o) {
            out.add(o);
        } else {
            throw new IllegalArgumentException("not a Kubernetes object: " + parsed.getClass().getSimpleName());
        }
    }

    /**
     * The parser's whole message on one line: every line of it (SnakeYAML's name the problem, then where, then the
     * cause: "could not find expected ':'"), but the lines that only point with a caret, whitespace folded.
     */
    static String message(Throwable e) {
        String m = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && (m == null || m.contains(cause.getClass().getName()))) {
            m = cause.getMessage();
        }
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        return m.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.equals("^"))
                .reduce((a, b) -> a.endsWith(":") ? a + " " + b : a + "; " + b).orElse(m);
    }
}
