package dev.pier.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class TrailersTest {

    @Test
    void keepsNettysTrailerRulesInTheSmallerTable() {
        HttpHeaders trailers = Trailers.FACTORY.newHeaders();
        trailers.add("X-Checksum", "42").add("X-Sum", "7").add("X-Three", "3"); // more fields than buckets
        assertThat(trailers.get("x-checksum")).isEqualTo("42");
        assertThat(trailers.get("X-THREE")).isEqualTo("3");
        // framing fields are not allowed in trailers (RFC 9110 6.5.1), as with Netty's own trailers factory
        assertThatThrownBy(() -> Trailers.FACTORY.newHeaders().add("Content-Length", "1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Trailers.FACTORY.newHeaders().add("Transfer-Encoding", "chunked"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Trailers.FACTORY.newHeaders().add("X-Bad", "a\r\nb"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Trailers.FACTORY.newEmptyHeaders().isEmpty()).isTrue();
    }

    @Test
    void emptyTrailersAnswerAsEmptyHeadersAndTakeFieldsLater() {
        HttpHeaders trailers = Trailers.FACTORY.newHeaders();
        assertThat(trailers.isEmpty()).isTrue();
        assertThat(trailers.size()).isZero();
        assertThat(trailers.get("X-A")).isNull();
        assertThat(trailers.getAll("X-A")).isEmpty();
        assertThat(trailers.contains("X-A")).isFalse();
        assertThat(trailers.iteratorCharSequence().hasNext()).isFalse();
        assertThat(trailers.names()).isEmpty();
        assertThat(trailers.getInt("X-A", 7)).isEqualTo(7);
        assertThat(trailers.remove("X-A").clear().isEmpty()).isTrue();
        assertThat(trailers.copy().isEmpty()).isTrue();

        trailers.add("X-A", "1").add("x-a", "2").set("X-B", "3");
        assertThat(trailers.getAll("X-A")).containsExactly("1", "2");
        assertThat(trailers.contains("x-b", "3", false)).isTrue();
        assertThat(trailers.size()).isEqualTo(3);
        assertThat(trailers.copy().get("X-B")).isEqualTo("3");
        assertThat(trailers.toString()).contains("X-A: 1");
        assertThat(trailers.remove("X-A").names()).containsExactly("X-B");
    }
}
