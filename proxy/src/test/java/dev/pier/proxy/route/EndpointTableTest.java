package dev.pier.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EndpointTableTest {
    private static Backend backend(int i) {
        return new Backend("ns" + (i % 7), "svc" + i, i % 3 == 0 ? "http" : "80", i % 5 == 0, null);
    }

    private static EndpointSet endpoints(int i, int port) {
        return EndpointSet.of(List.of(new Endpoint("10.0." + (i >> 8) + "." + (i & 255), port)));
    }

    @Test
    void findsEveryEntryByAnEqualKeyAndNothingElse() {
        Map<Backend, EndpointSet> entries = new HashMap<>();
        for (int i = 0; i < 1_000; i++) {
            entries.put(backend(i), endpoints(i, 8080));
        }
        EndpointTable table = EndpointTable.of(entries);
        for (int i = 0; i < 1_000; i++) {
            assertThat(table.get(backend(i))).isSameAs(entries.get(backend(i))); // an equal key, not the same object
        }
        assertThat(table.get(backend(1_000))).isSameAs(EndpointSet.UNKNOWN);
        assertThat(table.get(new Backend("ns1", "svc1", "80", true, null))).isSameAs(EndpointSet.UNKNOWN);
        assertThat(table.size()).isEqualTo(1_000);
        assertThat(table.endpointCount()).isEqualTo(1_000);
        assertThat(table.toMap()).isEqualTo(entries);
    }

    @Test
    void aRefusedBackendHasNoEndpointsAndSaysWhy() {
        EndpointSet set = EndpointTable.EMPTY.get(Backend.refused("ns", "svc", "80", "auth-url cannot be enforced"));
        assertThat(set.available()).isFalse();
        assertThat(set.problem()).isEqualTo("auth-url cannot be enforced");
    }

    @Test
    void changesGiveWhatBuildingAfreshGives() {
        Random random = new Random(3);
        Map<Backend, EndpointSet> model = new HashMap<>();
        EndpointTable table = EndpointTable.EMPTY;
        for (int step = 0; step < 2_000; step++) {
            Map<Backend, EndpointSet> changes = new HashMap<>();
            Set<Backend> gone = new java.util.HashSet<>();
            for (int k = random.nextInt(4); k >= 0; k--) {
                int i = random.nextInt(200);
                if (random.nextInt(4) == 0) {
                    gone.add(backend(i));
                } else {
                    changes.put(backend(i), endpoints(i, 8000 + random.nextInt(3)));
                }
            }
            EndpointTable before = table;
            Map<Backend, EndpointSet> beforeModel = new HashMap<>(model);
            model.keySet().removeAll(gone);
            model.putAll(changes);
            table = table.with(changes, gone);
            assertThat(table).as("step %d", step).isEqualTo(EndpointTable.of(model));
            assertThat(table.toMap()).isEqualTo(model);
            assertThat(table.hashCode()).isEqualTo(EndpointTable.of(model).hashCode());
            assertThat(before.toMap()).as("the old table is untouched").isEqualTo(beforeModel);
            if (model.equals(beforeModel)) {
                assertThat(table).isSameAs(before);
            }
        }
    }
}
