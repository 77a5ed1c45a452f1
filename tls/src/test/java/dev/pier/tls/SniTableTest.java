package dev.pier.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SniTableTest {
    private final SniTable<String> table = build();

    private static SniTable<String> build() {
        SniTable.Builder<String> b = SniTable.builder();
        b.putIfAbsent("app.example.com", "exact");
        b.putIfAbsent("*.example.com", "wildcard");
        b.putIfAbsent("Other.Example.org", "other");
        return b.build();
    }

    @Test
    void exactNamesWinOverTheWildcard() {
        assertThat(table.lookup("app.example.com")).isEqualTo("exact");
        assertThat(table.lookup("APP.Example.COM.")).isEqualTo("exact");
        assertThat(table.lookup("other.example.org")).isEqualTo("other");
    }

    @Test
    void theWildcardCoversExactlyOneLabel() {
        assertThat(table.lookup("shop.example.com")).isEqualTo("wildcard");
        assertThat(table.lookup("a.b.example.com")).isNull();
        assertThat(table.lookup("example.com")).isNull();
        assertThat(table.lookup(".example.com")).isNull();
        assertThat(table.get("*.example.com")).isEqualTo("wildcard"); // exact entries only
        assertThat(table.get("shop.example.com")).isNull();
    }

    @Test
    void unknownAndAbsentNamesFindNothing() {
        assertThat(table.lookup("example.net")).isNull();
        assertThat(table.lookup(null)).isNull();
        assertThat(table.lookup("")).isNull();
        assertThat(SniTable.<String>empty().lookup("app.example.com")).isNull();
    }

    @Test
    void theFirstValueForANameKeepsIt() {
        SniTable.Builder<String> b = SniTable.builder();
        assertThat(b.putIfAbsent("a.example.com", "first")).isNull();
        assertThat(b.putIfAbsent("A.example.com", "second")).isEqualTo("first");
        assertThat(b.build().lookup("a.example.com")).isEqualTo("first");
        assertThat(b.build()).isEqualTo(b.build());
    }
}
