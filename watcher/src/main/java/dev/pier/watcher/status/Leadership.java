package dev.pier.watcher.status;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which replica writes to the API: fabric8's leader election on a {@code coordination.k8s.io/v1} Lease, or always
 * this one ({@code --disable-leader-election}). Closing releases the Lease so another replica takes over at once.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);

    private final CompletableFuture<?> election;

    private Leadership(CompletableFuture<?> election) {
        this.election = election;
    }

    /** This replica always leads. */
    public static Leadership always(Consumer<Boolean> onChange) {
        onChange.accept(true);
        return new Leadership(null);
    }

    /** Campaigns for the Lease {@code namespace/name} as {@code identity}; {@code onChange} hears every transition. */
    public static Leadership elect(KubernetesClient client, String namespace, String name, String identity,
                                   Duration leaseDuration, Consumer<Boolean> onChange) {
        var config = new LeaderElectionConfigBuilder()
                .withName(name)
                .withLock(new LeaseLock(namespace, name, identity))
                .withLeaseDuration(leaseDuration)
                .withRenewDeadline(leaseDuration.multipliedBy(2).dividedBy(3))
                .withRetryPeriod(leaseDuration.dividedBy(5))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> onChange.accept(true), () -> onChange.accept(false),
                        leader -> log.info("leader of {}/{} is {}", namespace, name, leader)))
                .build();
        return new Leadership(client.leaderElector().withConfig(config).build().start());
    }

    @Override
    public void close() {
        if (election != null) {
            election.cancel(true);
        }
    }
}
