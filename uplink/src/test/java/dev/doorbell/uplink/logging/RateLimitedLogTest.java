package dev.doorbell.uplink.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.doorbell.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(42 * SECOND);
    private final RateLimitedLog.Limits limits = new RateLimitedLog.Limits(3, Duration.ofSeconds(10), now::get, false);
    private LogCapture capture;
    private Logger logger;
    private RateLimitedLog log;

    @BeforeEach
    void attach() {
        capture = new LogCapture("test.RateLimitedLogTest");
        logger = capture.logger();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        log = RateLimitedLog.of(logger, limits);
    }

    @AfterEach
    void detach() {
        capture.close();
    }

    @Test
    void info_beyondBurst_suppressedAndSummarisedByTheSweepWithTheLastLine() {
        for (int i = 0; i < 1000; i++) {
            log.info("dev-a", "refused device {} frame {}", "dev-a", i);
        }
        assertEquals(
                List.of("refused device dev-a frame 0", "refused device dev-a frame 1", "refused device dev-a frame 2"),
                lines());
        limits.sweep();
        assertEquals(3, lines().size(), "the period is not over yet");
        now.addAndGet(10 * SECOND);
        limits.sweep();
        assertEquals(
                "suppressed 997 similar lines within 10.0 s, the last: refused device dev-a frame 999", lines().get(3));
        assertEquals(Level.INFO, capture.events().get(3).getLevel());
    }

    @Test
    void warn_nextLineAfterThePeriod_summaryFirstThenTheLine() {
        for (int i = 0; i < 5; i++) {
            log.warn("dev-a", "conflict in frame {} of device {}", i, "dev-a");
        }
        now.addAndGet(11 * SECOND);
        log.warn("dev-a", "conflict in frame {} of device {}", 5, "dev-a");
        assertEquals(
                List.of(
                        "conflict in frame 0 of device dev-a",
                        "conflict in frame 1 of device dev-a",
                        "conflict in frame 2 of device dev-a",
                        "suppressed 2 similar lines within 10.0 s, the last: conflict in frame 4 of device dev-a",
                        "conflict in frame 5 of device dev-a"),
                lines());
        assertEquals(Level.WARN, capture.events().get(3).getLevel());
    }

    @Test
    void info_otherPeerOrOtherPattern_countedApart() {
        for (int i = 0; i < 5; i++) {
            log.info("dev-a", "device {} connected", "dev-a");
            log.info("dev-b", "device {} connected", "dev-b");
            log.info("dev-a", "device {} disconnected", "dev-a");
        }
        assertEquals(9, lines().size(), lines().toString());
    }

    @Test
    void sweep_quietPairs_forgotten() {
        log.info("dev-a", "device {} connected", "dev-a");
        log.info("10.0.0.9", "TLS handshake with {} failed", "10.0.0.9:4000");
        assertEquals(2, limits.size());
        now.addAndGet(10 * SECOND);
        limits.sweep();
        assertEquals(0, limits.size());
        assertEquals(2, lines().size(), "nothing was suppressed, so nothing is summarised");
    }

    @Test
    void info_floodOfPeers_boundedStateAndLines() {
        int peers = RateLimitedLog.MAX_KEYS + 5_000;
        for (int i = 0; i < peers; i++) {
            log.info("10.1." + (i >> 8) + "." + (i & 0xff), "TLS handshake with {} failed", i);
        }
        assertTrue(limits.size() <= RateLimitedLog.MAX_KEYS + 1, "pairs kept: " + limits.size());
        assertEquals(RateLimitedLog.MAX_KEYS + 3, lines().size(), "new peers beyond the cap share one count");
    }

    @Test
    void info_levelDisabled_notCountedNorLogged() {
        logger.setLevel(Level.WARN);
        for (int i = 0; i < 10; i++) {
            log.info("dev-a", "frame {}", i);
        }
        assertEquals(0, limits.size());
        assertTrue(lines().isEmpty());
    }

    private List<String> lines() {
        return capture.messages();
    }
}
