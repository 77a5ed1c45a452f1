package dev.pier.watcher.app;

import java.util.function.BooleanSupplier;

/**
 * What {@code /readyz} answers: ready only once the first configuration is in force and every traffic listener
 * accepts connections, and no longer once shutdown has begun. A Pod marked ready takes traffic on every port it
 * exposes; before, {@code /readyz} said 200 about 0.6 s before the HTTPS listener was bound.
 */
final class Readiness implements BooleanSupplier {
    private final BooleanSupplier configured;
    private volatile boolean listening;
    private volatile boolean draining;

    /** @param configured whether the configuration source has put its first table in force */
    Readiness(BooleanSupplier configured) {
        this.configured = configured;
    }

    /** Every traffic listener is bound and accepting. */
    void listening() {
        listening = true;
    }

    /** Shutdown began: from now on, not ready. */
    void draining() {
        draining = true;
    }

    @Override
    public boolean getAsBoolean() {
        return listening && !draining && configured.getAsBoolean();
    }
}
