package dev.doorbell.uplink.logging;

import dev.doorbell.cli.logging.JsonLogEncoder;
import org.slf4j.MDC;

/**
 * The device and clip a log line is about, in the SLF4J MDC ({@code device}, {@code clip}), so that the JSON log
 * ({@link JsonLogEncoder}) carries them as fields a shipper can index. Set where the uplink handles a session or a
 * clip, on the thread that handles it, and restored when that is done: an event loop serves many devices in turn.
 * Only the ids go here, never a header, a payload or a key.
 */
public final class LogContext implements AutoCloseable {
    private final String key;
    private final String previous;

    private LogContext(String key, String value) {
        this.key = key;
        this.previous = MDC.get(key);
        put(key, value);
    }

    /** The device for the lines logged until {@link #close()}; null leaves none. */
    public static LogContext device(String deviceId) {
        return new LogContext(JsonLogEncoder.DEVICE, deviceId);
    }

    /** The clip (its unsigned decimal id) for the lines logged until {@link #close()}. */
    public static LogContext clip(long clipId) {
        return new LogContext(JsonLogEncoder.CLIP, Long.toUnsignedString(clipId));
    }

    @Override
    public void close() {
        put(key, previous);
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
