package dev.pier.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fuzz targets' regression runs: every input of the committed corpus ({@code src/test/resources/fuzz/http1},
 * {@code fuzz/http2}: hand-written seeds, and what fuzzing runs found worth keeping) through {@link Http1Fuzzer} and
 * {@link Http2Fuzzer}, with the paranoid leak detector on. {@code scripts/fuzz.sh} fuzzes for longer.
 */
class FuzzCorpusTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("http1")
    void http1(Path input) throws IOException {
        Http1Fuzzer.fuzzerTestOneInput(Files.readAllBytes(input));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("http2")
    void http2(Path input) throws IOException {
        Http2Fuzzer.fuzzerTestOneInput(Files.readAllBytes(input));
    }

    static Stream<Path> http1() throws Exception {
        return corpus("http1");
    }

    static Stream<Path> http2() throws Exception {
        return corpus("http2");
    }

    private static Stream<Path> corpus(String name) throws IOException, URISyntaxException {
        Path dir = Path.of(FuzzCorpusTest.class.getResource("/fuzz/" + name).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            var list = files.filter(Files::isRegularFile).sorted().toList();
            assertThat(list).as("corpus " + name).hasSizeGreaterThan(10);
            return list.stream();
        }
    }
}
