package dev.pier.watcher.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceIndexTest {
    private static Service service(String ns, String name) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().build();
    }

    private static EndpointSlice slice(String ns, String name, String service) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .addToLabels(ServiceIndex.SERVICE_NAME_LABEL, service).endMetadata().withAddressType("IPv4").build();
    }

    @Test
    void findsAServiceWithItsSlicesAndEndpointsByNamespaceAndName() {
        Service web = service("a", "web");
        EndpointSlice s1 = slice("a", "web-1", "web");
        EndpointSlice s2 = slice("a", "web-2", "web");
        EndpointSlice other = slice("b", "web-1", "web"); // same names, another namespace
        ServiceIndex index = ServiceIndex.of(List.of(web, service("b", "web")), List.of(s1, s2, other),
                List.of(new EndpointsBuilder().withNewMetadata().withNamespace("a").withName("web").endMetadata()
                        .build()));

        assertThat(index.service("a/web")).isSameAs(web);
        assertThat(index.slices("a/web")).containsExactlyInAnyOrder(s1, s2);
        assertThat(index.slices("b/web")).containsExactly(other);
        assertThat(index.endpoints("a/web")).isNotNull();
        assertThat(index.service("a/none")).isNull();
        assertThat(index.slices("a/none")).isEmpty();
    }

    @Test
    void aServicesVersionMovesWithEveryChangeToItAndOnlyToIt() {
        ServiceIndex index = ServiceIndex.of(List.of(service("a", "web"), service("a", "db")), List.of(), List.of());
        long web = index.version("a/web");
        long db = index.version("a/db");

        index.put(slice("a", "web-1", "web"));
        long afterSlice = index.version("a/web");
        assertThat(afterSlice).isNotEqualTo(web);
        assertThat(index.version("a/db")).isEqualTo(db);

        index.put(service("a", "web"));
        assertThat(index.version("a/web")).isNotEqualTo(afterSlice);
        long afterService = index.version("a/web");

        index.remove(slice("a", "web-1", "web"));
        assertThat(index.version("a/web")).isNotEqualTo(afterService);
        assertThat(index.slices("a/web")).isEmpty();
        assertThat(index.version("a/db")).isEqualTo(db);
    }

    @Test
    void theChangeLogNamesTheServicesChangedSinceAMarkUntilItOverflows() {
        ServiceIndex index = ServiceIndex.of(List.of(service("a", "web")), List.of(), List.of());
        long start = index.latest();
        assertThat(index.changedSince(start)).isEmpty();
        index.changed("a/web");
        long afterWeb = index.latest();
        index.changed("a/db");
        index.changed("a/db");
        assertThat(index.changedSince(start)).containsExactlyInAnyOrder("a/web", "a/db");
        assertThat(index.changedSince(afterWeb)).containsExactly("a/db");
        assertThat(index.changedSince(index.latest())).isEmpty();

        long mark = index.latest();
        for (int i = 0; i < ServiceIndex.LOG_SIZE; i++) {
            index.changed("a/s" + i);
        }
        assertThat(index.changedSince(mark)).as("exactly as many changes as the log holds").hasSize(
                ServiceIndex.LOG_SIZE);
        index.changed("a/one-more");
        assertThat(index.changedSince(mark)).as("the log no longer reaches back to the mark").isNull();
        assertThat(index.changedSince(index.latest())).isEmpty();
    }

    @Test
    void versionsOfDifferentIndexesNeverMeet() {
        ServiceIndex one = ServiceIndex.of(List.of(service("a", "web")), List.of(), List.of());
        ServiceIndex two = ServiceIndex.of(List.of(service("a", "web")), List.of(), List.of());
        assertThat(one.version("a/web")).isNotEqualTo(two.version("a/web")); // a reload is a change
    }

    @Test
    void aSliceWithoutTheServiceLabelBelongsToNoService() {
        EndpointSlice unlabelled = new EndpointSliceBuilder().withNewMetadata().withNamespace("a").withName("x")
                .endMetadata().withAddressType("IPv4").build();
        ServiceIndex index = ServiceIndex.of(List.of(), List.of(unlabelled), List.of());
        assertThat(ServiceIndex.serviceKey(unlabelled)).isNull();
        assertThat(index.slices("a/x")).isEmpty();
    }
}
