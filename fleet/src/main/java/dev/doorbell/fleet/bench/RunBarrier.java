package dev.doorbell.fleet.bench;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Lines up the fleet processes of one capacity run at each phase (all loaded, all connected, about to drop, all back,
 * all sent) through files in a shared directory, and hands every process the figures each one wrote there: the
 * whole-run figures are computed from them once, by process 0. Each party writes {@code <phase>-<index>.properties}
 * (to a temporary name, then moved) and waits, bounded, until every party's file is there.
 */
final class RunBarrier {
    private static final long POLL_MILLIS = 5;

    private final Path dir;
    private final int parties;
    private final int index;
    private final Duration timeout;

    RunBarrier(Path dir, int parties, int index, Duration timeout) {
        if (parties < 1 || index < 0 || index >= parties) {
            throw new IllegalArgumentException("process " + index + " of " + parties + " does not exist");
        }
        this.dir = dir;
        this.parties = parties;
        this.index = index;
        this.timeout = timeout;
    }

    /** A barrier of one process: nothing to wait for, nothing written. */
    static RunBarrier alone() {
        return new RunBarrier(null, 1, 0, Duration.ZERO);
    }

    int parties() {
        return parties;
    }

    /** Whether this process computes and prints the whole-run figures. */
    boolean leader() {
        return index == 0;
    }

    /**
     * Writes {@code mine} for {@code phase} and returns every party's figures, in process order, once all are there;
     * throws IllegalStateException naming the missing processes when they are not there within the timeout.
     */
    List<Properties> await(String phase, Properties mine) throws InterruptedException {
        if (parties == 1) {
            return List.of(mine);
        }
        try {
            Files.createDirectories(dir);
            Path file = file(phase, index);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            StringWriter text = new StringWriter();
            mine.store(text, null);
            Files.writeString(tmp, text.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Integer> missing = missing(phase);
            while (!missing.isEmpty()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("capacity run: processes " + missing + " did not reach '" + phase
                            + "' within " + timeout.toSeconds() + " s (see their logs)");
                }
                Thread.sleep(POLL_MILLIS);
                missing = missing(phase);
            }
            List<Properties> all = new ArrayList<>(parties);
            for (int i = 0; i < parties; i++) {
                Properties p = new Properties();
                try (Reader in = Files.newBufferedReader(file(phase, i), StandardCharsets.UTF_8)) {
                    p.load(in);
                }
                all.add(p);
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException("capacity run: cannot meet at '" + phase + "' in " + dir, e);
        }
    }

    private List<Integer> missing(String phase) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < parties; i++) {
            if (!Files.exists(file(phase, i))) {
                missing.add(i);
            }
        }
        return missing;
    }

    private Path file(String phase, int party) {
        return dir.resolve(phase + "-" + party + ".properties");
    }
}
