package dev.doorbell.uplink.server;

import dev.doorbell.uplink.identity.CertificateRevocations;
import dev.doorbell.uplink.session.DeviceSessionHandler;
import dev.doorbell.uplink.session.SessionRegistry;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at the revocation list file every few seconds on a thread of its own (file I/O never runs on an event
 * loop) and, when a new list comes into force, has every open session check its certificate against it: a device
 * revoked while connected is closed with CERTIFICATE_REVOKED, not at its next reconnect.
 */
final class RevocationWatcher implements AutoCloseable {
    /** A stat every two seconds costs nothing; a revoked device keeps its connection for at most this long. */
    static final Duration INTERVAL = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(RevocationWatcher.class);

    private final CertificateRevocations revocations;
    private final SessionRegistry registry;
    private final ScheduledExecutorService scheduler;

    RevocationWatcher(CertificateRevocations revocations, SessionRegistry registry) {
        this.revocations = revocations;
        this.registry = registry;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "uplink-crl-watch");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(
                this::reloadQuietly, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Takes a changed list now and applies it to open sessions; returns true if a new list came into force. */
    boolean reload() {
        if (!revocations.reloadIfChanged()) {
            return false;
        }
        int sessions = 0;
        for (DeviceSessionHandler session : registry.sessions()) {
            session.recheckRevocation();
            sessions++;
        }
        LOG.info("new revocation list ({}): {} open connections checked again", revocations.describe(), sessions);
        return true;
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again; the uplink must keep watching.
            LOG.warn("revocation list check failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
