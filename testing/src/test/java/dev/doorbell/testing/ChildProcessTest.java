package dev.doorbell.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real child JVMs of this test's class path. */
class ChildProcessTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration SILENCE = Duration.ofSeconds(2);
    private static final List<String> SMALL_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m");

    @Test
    void awaitOutput_childSaysReady_returnsAndCloseKillsIt() throws Exception {
        ChildProcess child = ChildProcess.java(SMALL_JVM, Child.class.getName(), List.of("hold"));
        try (child) {
            child.awaitOutput("(?m)^ready$", START);
            assertTrue(child.alive());
        }
        assertFalse(child.alive(), "close() returns once the child is gone");
    }

    @Test
    void awaitOutput_childExitsWithoutIt_failsAtOnceWithItsOutput() throws Exception {
        try (ChildProcess child = ChildProcess.java(SMALL_JVM, Child.class.getName(), List.of("fail"))) {
            long t0 = System.nanoTime();
            AssertionError e = assertThrows(AssertionError.class, () -> child.awaitOutput("(?m)^ready$", START));
            assertTrue(
                    System.nanoTime() - t0 < START.toNanos() / 2, "waited for the deadline although the child ended");
            assertTrue(
                    e.getMessage().contains("stdout matching") && e.getMessage().contains("no lock for you"),
                    e.getMessage());
            assertEquals(3, child.awaitExit(START));
        }
    }

    @Test
    void awaitOutput_childSilentAndAlive_failsAtTheDeadline() throws Exception {
        try (ChildProcess child = ChildProcess.java(SMALL_JVM, Child.class.getName(), List.of("silent"))) {
            long t0 = System.nanoTime();
            AssertionError e = assertThrows(AssertionError.class, () -> child.awaitOutput("(?m)^ready$", SILENCE));
            long tookMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertTrue(tookMs >= SILENCE.toMillis() && tookMs < SILENCE.toMillis() + 5_000, tookMs + " ms");
            assertTrue(e.getMessage().contains("alive: true"), e.getMessage());
        }
    }

    /**
     * The child: "hold" says ready and waits for its standard input to end; "silent" waits without a word; "fail"
     * complains and exits 3.
     */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            if (args[0].equals("fail")) {
                System.err.println("no lock for you");
                System.exit(3);
            }
            if (args[0].equals("hold")) {
                System.out.println("ready");
                System.out.flush();
            }
            System.in.transferTo(OutputStream.nullOutputStream());
        }
    }
}
