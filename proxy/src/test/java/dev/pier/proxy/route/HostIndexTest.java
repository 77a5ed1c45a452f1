package dev.pier.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A patched index ({@link HostIndex#withHosts}) must answer exactly as one built afresh from the same keys, over long
 * chains of patches that add, replace and remove keys, and must leave the index it was patched from unchanged.
 */
class HostIndexTest {
    private final Random random = new Random(5);

    @Test
    void aPatchedIndexAnswersAsAFreshOneOverLongChainsOfPatches() {
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            pool.add(i % 7 == 0 ? "" + (char) ('a' + i % 26) + i : "h" + i + ".example.com");
        }
        Map<String, List<Route>> model = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            model.put(pool.get(random.nextInt(pool.size())), randomRules());
        }
        HostIndex index = fresh(model);
        int patched = 0;
        int rebuilt = 0;
        for (int step = 0; step < 3_000; step++) {
            Map<String, List<Route>> changes = new HashMap<>();
            for (int k = random.nextInt(6); k >= 0; k--) {
                String key = pool.get(random.nextInt(pool.size()));
                // remove more often when large, so the size wanders up and down across the resize threshold
                boolean remove = random.nextInt(400) < model.size();
                changes.put(key, remove ? List.of() : randomRules());
            }
            Map<String, List<Route>> before = new HashMap<>(model);
            HostIndex old = index;
            for (Map.Entry<String, List<Route>> e : changes.entrySet()) {
                if (e.getValue().isEmpty()) {
                    model.remove(e.getKey());
                } else {
                    model.put(e.getKey(), e.getValue());
                }
            }
            HostIndex next = index.withHosts(changes);
            if (next == null) {
                next = fresh(model);
                rebuilt++;
            } else {
                patched++;
            }
            index = next;
            assertAnswers(index, model, pool, step);
            assertThat(index.footprint()).as("step %d: dead runs are bounded", step)
                    .isLessThanOrEqualTo(2 * fresh(model).footprint());
            if (step % 50 == 0) {
                assertAnswers(old, before, pool, step); // the old index is never written to
            }
        }
        assertThat(patched).as("patches applied").isGreaterThan(2_500);
        assertThat(rebuilt).as("fresh builds when the index filled up or its dead runs piled up").isGreaterThan(3);
    }

    private void assertAnswers(HostIndex index, Map<String, List<Route>> model, List<String> pool, int step) {
        assertThat(index.size()).as("step %d size", step).isEqualTo(model.size());
        for (String key : pool) {
            String upper = key.toUpperCase(java.util.Locale.ROOT);
            int found = index.find(upper, 0, upper.length());
            List<Route> rules = model.get(key);
            if (rules == null) {
                assertThat(found).as("step %d: %s is gone", step, key).isEqualTo(-1);
                continue;
            }
            assertThat(found).as("step %d: %s is there", step, key).isNotNegative();
            for (String path : List.of("/", "/a", "/a/b", "/b", "/zzz")) {
                Route expected = null;
                for (Route r : rules) { // rules are in precedence order: the first that matches wins
                    if (r.pathType().isExact() ? path.equals(r.path())
                            : r.path().equals("/") || path.equals(r.path()) || path.startsWith(r.path() + "/")) {
                        expected = r;
                        break;
                    }
                }
                assertThat(index.match(found, path, path.length())).as("step %d: %s%s", step, key, path)
                        .isSameAs(expected);
            }
        }
    }

    private List<Route> randomRules() {
        List<Route> rules = new ArrayList<>();
        Backend backend = new Backend("ns", "svc" + random.nextInt(1000), "80");
        String[] paths = {"/a/b", "/a", "/b"};
        for (String p : paths) { // longest first, as a table orders them
            if (random.nextBoolean()) {
                rules.add(new Route("h", p, random.nextBoolean() ? PathType.EXACT : PathType.PREFIX, backend,
                        null));
            }
        }
        rules.add(new Route("h", "/", PathType.PREFIX, backend, null));
        return List.copyOf(rules);
    }

    private static HostIndex fresh(Map<String, List<Route>> model) {
        List<String> keys = new ArrayList<>(model.keySet());
        List<List<Route>> rules = new ArrayList<>();
        keys.forEach(k -> rules.add(model.get(k)));
        return new HostIndex(keys, rules);
    }
}
