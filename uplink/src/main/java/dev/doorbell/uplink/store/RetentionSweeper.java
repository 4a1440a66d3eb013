package dev.doorbell.uplink.store;

import dev.doorbell.cli.DurationConverter;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention inside a running uplink (docs/OPERATIONS.md, "Store tools and retention"), on its own thread, never on
 * an event loop: every interval it deletes idle clips older than the limit and those named by owner's requests
 * dropped into {@code DIR/retention/inbox/}, then reclaims space in segments the checkpoint has moved past. A
 * segment still being written is reclaimed in a later pass, once it is closed.
 */
final class RetentionSweeper {
    private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);
    static final String INBOX_DIR = "inbox";

    /** Counters read by a scrape. */
    static final class Counts {
        final AtomicLong byPolicy = new AtomicLong();
        final AtomicLong byRequest = new AtomicLong();
        final AtomicLong reclaimed = new AtomicLong();
        final AtomicLong badRequests = new AtomicLong();

        RetentionCounts snapshot() {
            return new RetentionCounts(byPolicy.get(), byRequest.get(), reclaimed.get(), badRequests.get());
        }
    }

    /** What one pass did. */
    record Pass(int byPolicy, int byRequest, List<Compactor.Outcome> reclaimed, List<Long> waiting) {}

    private final DirectoryStore store;
    private final Duration limit;
    private final Duration every;
    private final CountDownLatch stop = new CountDownLatch(1);
    /** Segments holding records of deleted clips that were not closed yet at the last pass (sweeper thread only). */
    private final TreeSet<Long> waiting = new TreeSet<>();

    private Thread thread;

    RetentionSweeper(DirectoryStore store, Duration limit, Duration every) {
        this.store = store;
        this.limit = limit;
        this.every = every;
    }

    void start() {
        thread = new Thread(this::run, "uplink-retention");
        thread.setDaemon(true);
        thread.start();
        log.info(
                "retention: {}; owner's requests read from {} every {}",
                limit == null ? "no age limit" : "clips older than " + DurationConverter.format(limit) + " deleted",
                inbox(),
                DurationConverter.format(every));
    }

    void stop() {
        stop.countDown();
        if (thread != null) {
            GroupCommitWriter.joinUninterruptibly(thread);
        }
    }

    private void run() {
        try {
            do {
                try {
                    sweepOnce();
                } catch (IOException | RuntimeException e) {
                    log.error("retention pass failed (the next pass tries again): {}", e.toString());
                }
            } while (!stop.await(every.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Path inbox() {
        return store.storeDir().resolve(RetentionLedger.DIR).resolve(INBOX_DIR);
    }

    Pass sweepOnce() throws IOException {
        List<IdleClip> deleted = new ArrayList<>();
        int byPolicy = 0;
        if (limit != null) {
            long before = store.clock().millis() - limit.toMillis();
            List<IdleClip> old = store.deleteIdle(
                    c -> c.lastArrivalMs() < before, "policy", "older-than=" + DurationConverter.format(limit));
            byPolicy = old.size();
            deleted.addAll(old);
        }
        int byRequest = 0;
        for (Path file : requests()) {
            byte[] bytes = Files.readAllBytes(file);
            ForgetRequest request;
            try {
                request = ForgetRequest.parse(bytes);
            } catch (IllegalArgumentException e) {
                log.warn("retention: request {} refused and renamed .refused: {}", file.getFileName(), e.getMessage());
                Files.move(file, file.resolveSibling(file.getFileName() + ".refused"), StandardCopyOption.ATOMIC_MOVE);
                store.counts().badRequests.incrementAndGet();
                continue;
            }
            String tombstone = RetentionLedger.keepRequest(store.storeDir(), bytes, DiskOps.REAL);
            List<IdleClip> named = store.deleteIdle(
                    c -> c.deviceId().equals(request.deviceId()) && request.covers(c.clipId(), c.position()),
                    "request",
                    tombstone);
            byRequest += named.size();
            deleted.addAll(named);
            log.info(
                    "retention: request {} of the owner of device {} applied: {} clips deleted, kept as {} (its signature"
                            + " is the owner's to check: the uplink holds no keys)",
                    file.getFileName(),
                    request.deviceId(),
                    named.size(),
                    tombstone);
            Files.delete(file);
        }
        store.counts().byPolicy.addAndGet(byPolicy);
        store.counts().byRequest.addAndGet(byRequest);
        for (IdleClip clip : deleted) {
            for (long k = clip.firstSegment(); k <= clip.lastSegment(); k++) {
                waiting.add(k);
            }
        }
        List<Compactor.Outcome> reclaimed = reclaim();
        store.compactLedger(false);
        return new Pass(byPolicy, byRequest, reclaimed, List.copyOf(waiting));
    }

    /** Segments the checkpoint has moved past are closed: nothing is appended to them, nothing acknowledged in them. */
    private List<Compactor.Outcome> reclaim() throws IOException {
        List<Compactor.Outcome> done = new ArrayList<>();
        if (waiting.isEmpty()) {
            return done;
        }
        Checkpoint checkpoint = CheckpointFile.read(store.storeDir().resolve(SegmentFormat.CHECKPOINT_FILE))
                .latest();
        if (checkpoint == null) {
            return done;
        }
        for (Long k : new ArrayList<>(waiting.headSet(checkpoint.segment()))) {
            waiting.remove(k);
            Path file = store.storeDir().resolve(SegmentFormat.SEGMENTS_DIR).resolve(SegmentFormat.segmentName(k));
            if (!Files.exists(file)) {
                continue;
            }
            Compactor.Outcome outcome = store.reclaim(k);
            if (outcome != null) {
                store.counts().reclaimed.addAndGet(outcome.reclaimed());
                done.add(outcome);
                log.info(
                        "retention: segment {} {} ({} bytes reclaimed)",
                        SegmentFormat.segmentName(k),
                        outcome.action(),
                        outcome.reclaimed());
            }
        }
        return done;
    }

    private List<Path> requests() throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(inbox())) {
            return files;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(inbox(), "*.req")) {
            entries.forEach(files::add);
        }
        files.sort(null);
        return files;
    }
}
