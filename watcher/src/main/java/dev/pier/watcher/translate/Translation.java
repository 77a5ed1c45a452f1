package dev.pier.watcher.translate;

import dev.pier.proxy.route.RouteTable;
import java.util.List;

/**
 * The result of a translation.
 *
 * @param table the routes to serve
 * @param problems what could not be served as written, in a deterministic order
 * @param served the Ingresses Pier took (its class), whether or not all their rules could be served
 */
public record Translation(RouteTable table, List<Problem> problems, List<ObjectRef> served) {
    public Translation {
        problems = List.copyOf(problems);
        served = List.copyOf(served);
    }
}
