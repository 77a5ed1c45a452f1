package dev.pier.watcher.app;

import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.admin.AdminServer;
import dev.pier.proxy.log.AccessLog;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shutdown sequence, run by the JVM's shutdown hook on SIGTERM or Ctrl-C: {@code /readyz} turns 503, traffic is
 * still accepted for the delay (endpoint controllers stop sending new connections meanwhile), requests in flight get
 * the grace period, then the proxy, the configuration source (releasing the leader Lease), the admin server and the
 * access log close.
 */
final class Shutdown {
    private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

    private final Readiness readiness;
    private final ProxyServer proxy;
    private final AutoCloseable source;
    private final AdminServer admin;
    private final AccessLog accessLog;
    private final Duration delay;
    private final Duration grace;
    private final CountDownLatch stopped = new CountDownLatch(1);

    Shutdown(Readiness readiness, ProxyServer proxy, AutoCloseable source, AdminServer admin, AccessLog accessLog,
             Duration delay, Duration grace) {
        this.readiness = readiness;
        this.proxy = proxy;
        this.source = source;
        this.admin = admin;
        this.accessLog = accessLog;
        this.delay = delay;
        this.grace = grace;
    }

    void run() {
        readiness.draining();
        log.info("shutting down: /readyz is 503; accepting traffic for {} more, then draining for up to {}",
                human(delay), human(grace));
        try {
            Thread.sleep(delay.toMillis());
            proxy.drain(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        proxy.close();
        try {
            source.close(); // cluster mode: releases the Lease so another replica leads at once
        } catch (Exception e) {
            log.debug("closing the configuration source", e);
        }
        admin.close();
        if (accessLog != null) {
            accessLog.close();
        }
        log.info("stopped");
        stopped.countDown();
    }

    /** {@code 5s}, {@code 500ms}, {@code 2m}: as the flags take it. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** Waits until {@link #run} has finished. */
    void await() throws InterruptedException {
        stopped.await();
    }
}
