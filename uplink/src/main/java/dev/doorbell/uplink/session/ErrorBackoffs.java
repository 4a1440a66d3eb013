package dev.doorbell.uplink.session;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Devices closed for too many errors, and until when a new session of theirs is refused (with TOO_MANY_ERRORS and
 * the time left): a device that ignores the backoff its Error named costs a TLS handshake and one small Error per
 * attempt, not a session. Only certificate-verified device ids are entered, so the map is bounded by the fleet;
 * expired entries are dropped as they are met and whenever the map grows past a thousand. Thread-safe.
 */
final class ErrorBackoffs {
    private static final int PURGE_ABOVE = 1_000;

    private final Map<String, Long> until = new ConcurrentHashMap<>();

    /** Refuses new sessions of {@code deviceId} until {@code untilNanos} (System.nanoTime). */
    void start(String deviceId, long untilNanos, long nowNanos) {
        until.merge(deviceId, untilNanos, Math::max);
        if (until.size() > PURGE_ABOVE) {
            for (Iterator<Long> it = until.values().iterator(); it.hasNext(); ) {
                if (it.next() - nowNanos <= 0) {
                    it.remove();
                }
            }
        }
    }

    /** Nanoseconds until {@code deviceId} may have a session again; 0 or less when it may now. */
    long remainingNanos(String deviceId, long nowNanos) {
        Long end = until.get(deviceId);
        if (end == null) {
            return 0;
        }
        long left = end - nowNanos;
        if (left <= 0) {
            until.remove(deviceId, end);
        }
        return left;
    }
}
