package dev.doorbell.uplink.logging;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

/**
 * The logger for every line whose number a client controls (one per refused frame, per connection, per failed
 * handshake): without a limit, one device sending 450,000 bad frames wrote 450,000 lines. Each (peer, pattern) may
 * log {@code burst} lines per {@code period}; further lines are only counted, and when the period is over one line
 * says how many were suppressed and quotes the last of them. The peer is the device id, or the address of a peer
 * not yet identified; every line names its peer in its text, so that the summary does too. Lines that no client can
 * multiply (start, stop, the store's own state) use a plain SLF4J logger.
 *
 * <p>Thread-safe; the state of all instances made by {@link #of(Class)} is shared, so that a device that reconnects
 * keeps its count. Periods that end without a further line are reported by a daemon thread that looks every period.
 */
public final class RateLimitedLog {
    public static final int DEFAULT_BURST = 10;
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(10);
    /** Beyond this many (peer, pattern) pairs in one period, new pairs share one count (a flood of addresses). */
    static final int MAX_KEYS = 10_000;

    static final String OTHER_PEERS = "other peers";

    private static final Limits SHARED = new Limits(DEFAULT_BURST, DEFAULT_PERIOD, System::nanoTime, true);

    private final Logger logger;
    private final Limits limits;

    private RateLimitedLog(Logger logger, Limits limits) {
        this.logger = logger;
        this.limits = limits;
    }

    public static RateLimitedLog of(Class<?> owner) {
        return new RateLimitedLog(LoggerFactory.getLogger(owner), SHARED);
    }

    /** With limits of its own and a clock, for tests; {@link Limits#sweep()} is then called by the test. */
    static RateLimitedLog of(Logger logger, Limits limits) {
        return new RateLimitedLog(logger, limits);
    }

    public void info(String peer, String pattern, Object... args) {
        log(Level.INFO, peer, pattern, args);
    }

    public void warn(String peer, String pattern, Object... args) {
        log(Level.WARN, peer, pattern, args);
    }

    private void log(Level level, String peer, String pattern, Object... args) {
        if (!logger.isEnabledForLevel(level)) {
            return;
        }
        if (limits.admit(this, level, peer, pattern, args)) {
            logger.atLevel(level).log(pattern, args);
        }
    }

    /** Every limited line names its peer, so the summary, which quotes the last line, names it too. */
    private void summarise(Level level, long suppressed, Duration period, String pattern, Object[] lastArgs) {
        // The last line is formatted only now, once per period, not for each line suppressed.
        String last = MessageFormatter.arrayFormat(pattern, lastArgs).getMessage();
        logger.atLevel(level)
                .log(
                        "suppressed {} similar lines within {} s, the last: {}",
                        suppressed,
                        period.toMillis() / 1000.0,
                        last);
    }

    /** How many lines each (peer, pattern) may log per period, and what was held back. */
    static final class Limits {
        private final int burst;
        private final Duration period;
        private final long periodNanos;
        private final LongSupplier nanoTime;
        private final boolean background;
        private final Map<Key, Window> windows = new ConcurrentHashMap<>();
        private ScheduledExecutorService sweeper;

        Limits(int burst, Duration period, LongSupplier nanoTime, boolean background) {
            if (burst < 1 || period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("burst " + burst + " and period " + period + " must be positive");
            }
            this.burst = burst;
            this.period = period;
            this.periodNanos = period.toNanos();
            this.nanoTime = nanoTime;
            this.background = background;
        }

        private record Key(RateLimitedLog log, String peer, String pattern) {}

        /** One (peer, pattern) in its current period. */
        private static final class Window {
            final Level level;
            long start;
            int logged;
            long suppressed;
            Object[] lastArgs;

            Window(Level level, long start) {
                this.level = level;
                this.start = start;
            }
        }

        /** True when the line may be logged now; reports what an ended period suppressed first. */
        boolean admit(RateLimitedLog log, Level level, String peer, String pattern, Object[] args) {
            long now = nanoTime.getAsLong();
            Key key = new Key(log, peer, pattern);
            Window window = windows.get(key);
            if (window == null) {
                if (windows.size() >= MAX_KEYS) {
                    key = new Key(log, OTHER_PEERS, pattern);
                }
                window = windows.computeIfAbsent(key, k -> new Window(level, now));
            }
            boolean admitted;
            long ended;
            Object[] endedArgs;
            synchronized (window) {
                ended = 0;
                endedArgs = null;
                if (now - window.start >= periodNanos) {
                    ended = window.suppressed;
                    endedArgs = window.lastArgs;
                    window.start = now;
                    window.logged = 0;
                    window.suppressed = 0;
                    window.lastArgs = null;
                }
                admitted = window.logged < burst;
                if (admitted) {
                    window.logged++;
                } else {
                    window.suppressed++;
                    window.lastArgs = args;
                }
            }
            if (ended > 0) {
                log.summarise(level, ended, period, pattern, endedArgs);
            }
            if (!admitted && background) {
                startSweeper();
            }
            return admitted;
        }

        /** Reports every period that has ended with lines suppressed, and forgets pairs that were quiet for a period. */
        void sweep() {
            long now = nanoTime.getAsLong();
            windows.entrySet().removeIf(entry -> {
                Window window = entry.getValue();
                long suppressed;
                Object[] lastArgs;
                synchronized (window) {
                    if (now - window.start < periodNanos) {
                        return false;
                    }
                    suppressed = window.suppressed;
                    lastArgs = window.lastArgs;
                    window.start = now;
                    window.logged = 0;
                    window.suppressed = 0;
                    window.lastArgs = null;
                }
                Key key = entry.getKey();
                if (suppressed > 0) {
                    key.log().summarise(window.level, suppressed, period, key.pattern(), lastArgs);
                    return false;
                }
                return true;
            });
        }

        int size() {
            return windows.size();
        }

        private synchronized void startSweeper() {
            if (sweeper != null) {
                return;
            }
            sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "uplink-log-limits");
                thread.setDaemon(true);
                return thread;
            });
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        }

        private void sweepQuietly() {
            try {
                sweep();
            } catch (RuntimeException e) {
                // A scheduled task that throws is never run again; the summaries must keep coming.
                LoggerFactory.getLogger(RateLimitedLog.class).warn("log limits sweep failed: {}", e.toString());
            }
        }
    }
}
