package dev.doorbell.uplink.store;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import com.google.protobuf.ByteString;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.proto.v1.StoredUplinkFlag;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one directory of append-only segments (docs/FORMAT.md §6) with group commit. Callers are
 * validated under one lock against the in-memory index and queue records for the writer thread, which does all
 * writes and fsyncs. Only a resent frame that is already durable is read back on the caller's thread, one
 * positional read of one record, usually from the page cache.
 */
public final class DirectoryStore implements ClipStore {
    private static final Logger log = LoggerFactory.getLogger(DirectoryStore.class);
    /** Room for the ids and varints around the payload of one record, well above what they can take. */
    private static final int RECORD_OVERHEAD = 256;

    /** Guards the index, and the writer's and the syncer's state ({@link GroupCommitWriter}). */
    private final ReentrantLock lock = new ReentrantLock();

    @GuardedBy("lock")
    private final ClipIndex index;

    private final GroupCommitWriter writer;
    private final Path segmentsDir;
    private final SegmentReads reads;
    private final Clock clock;
    private final StoreLock storeLock;
    private final List<StoreFinding> findings;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Path storeDir;
    /** Appended only under {@link #lock}, by the sweeper; read by the index under the lock and by compaction. */
    private final RetentionLedger ledger;

    private final RetentionSweeper.Counts retentionCounts = new RetentionSweeper.Counts();
    private volatile RetentionSweeper sweeper;

    private DirectoryStore(
            ClipIndex index,
            SegmentLog segments,
            Path segmentsDir,
            SegmentReads reads,
            StoreOptions options,
            FailurePolicy policy,
            Clock clock,
            StoreLock storeLock,
            List<StoreFinding> findings,
            Path storeDir,
            RetentionLedger ledger) {
        this.storeDir = storeDir;
        this.ledger = ledger;
        this.index = index;
        this.segmentsDir = segmentsDir;
        this.reads = reads;
        this.clock = clock;
        this.storeLock = storeLock;
        this.findings = List.copyOf(findings);
        this.writer = new GroupCommitWriter(lock, index, segments, options, policy);
    }

    /** Creates the store in an empty or missing directory, or recovers the one there. */
    public static DirectoryStore open(Path dir, StoreOptions options) throws IOException {
        return open(dir, options, Clock.systemUTC());
    }

    /** As {@link #open(Path, StoreOptions)}, with the clock that stamps {@code received_unix_ms}. */
    public static DirectoryStore open(Path dir, StoreOptions options, Clock clock) throws IOException {
        return open(dir, options, clock, DiskOps.REAL, FailurePolicy.defaults());
    }

    /**
     * Takes the store's lock first (docs/FORMAT.md §6: nothing in the store is read or written before), then makes or
     * recovers it. Damage found in the store does not stop it: it is logged, copied aside and listed in
     * {@link #findings()}, and the clips it touched are marked damaged. A store shorter than what was acknowledged, or
     * damaged in its newest segment, gets a new segment whose start record keeps what was committed, so that the
     * shortfall stays visible to every later start and every reader.
     *
     * @throws StoreLockedException when another uplink holds the store
     */
    static DirectoryStore open(Path dir, StoreOptions options, Clock clock, DiskOps ops, FailurePolicy policy)
            throws IOException {
        Objects.requireNonNull(options, "options");
        StoreLock storeLock = StoreLock.acquire(dir);
        SegmentLog segments = null;
        try {
            int version = StoreRecovery.prepare(dir, ops);
            Path segmentsDir = dir.resolve(SegmentFormat.SEGMENTS_DIR);
            ClipIndex index = new ClipIndex(options.indexClosedClips());
            List<String> actions = new ArrayList<>();
            StoreScan scan = StoreRecovery.recover(dir, version, index, ops, clock, actions::add);
            scan.findings.forEach(StoreRecovery::logFinding);
            actions.forEach(action -> log.info("store {}", action));
            RetentionLedger.removeTemporary(dir);
            logRewrite(dir, scan.ledger.compact(dir, lowestKept(index), ops, clock, Compactor.Steps.NONE, false));
            CheckpointFile checkpoint = CheckpointFile.forStore(
                    dir, version == 2 ? CheckpointFile.read(dir.resolve(SegmentFormat.CHECKPOINT_FILE)) : null, ops);
            segments = new SegmentLog(
                    segmentsDir, ops, scan.nextNumber, options.directIo(), clock, checkpoint, scan.chain);
            if (scan.newestResumable) {
                StoreScan.Segment newest = scan.segments.get(scan.segments.size() - 1);
                segments.resume(
                        newest.number(),
                        newest.result().validEnd(),
                        newest.result().records());
            } else {
                segments.startNew();
            }
            if (version < 2) {
                StoreRecovery.writeMarker(dir, ops);
                log.info(
                        version == 0
                                ? "store created in {}"
                                : "store in {} upgraded from v1 to v2 (lock, checkpoint, start " + "records)",
                        dir);
            }
            DirectoryStore store = new DirectoryStore(
                    index,
                    segments,
                    segmentsDir,
                    new SegmentReads(segmentsDir),
                    options,
                    policy,
                    clock,
                    storeLock,
                    scan.findings,
                    dir,
                    scan.ledger);
            store.writer.start();
            if (version > 0) {
                log.info(
                        "store opened in {}: {} segments, {} records, {} clips",
                        dir,
                        scan.segments.size(),
                        scan.records,
                        index.size());
            }
            List<StoreFinding> damage = scan.damage();
            if (!damage.isEmpty()) {
                log.error(
                        "store in {} is not what was acknowledged: {} findings above ({} damaged clips); serving anyway. "
                                + "`scripts/uplink fsck --data {}` lists them",
                        dir,
                        damage.size(),
                        index.damaged().size(),
                        dir);
            }
            return store;
        } catch (IOException | RuntimeException e) {
            if (segments != null) {
                try {
                    segments.close();
                } catch (IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            storeLock.close();
            throw e;
        }
    }

    /**
     * What the store found when it was opened (damage, missing or shortened segments, damaged clips, torn tails), in
     * log order; empty for a clean store.
     */
    public List<StoreFinding> findings() {
        return findings;
    }

    @Override
    public Submission openClip(String deviceId, long clipId, byte[] header) {
        return openClip(deviceId, clipId, header, List.of());
    }

    @Override
    public Submission openClip(String deviceId, long clipId, byte[] header, List<StoredUplinkFlag> flags) {
        DeviceIds.require(deviceId);
        checkSize("header", header.length);
        return submit(clips -> clips.openClip(deviceId, clipId, header, flags, clock.millis()));
    }

    @Override
    public Submission appendFrame(
            String deviceId, long clipId, int seq, boolean last, ByteString meta, ByteString sealed) {
        DeviceIds.require(deviceId);
        checkSize("frame", (long) meta.size() + sealed.size());
        return submit(clips -> clips.appendFrame(deviceId, clipId, seq, last, meta, sealed, clock.millis()));
    }

    @Override
    public Submission closeClip(String deviceId, long clipId, int frameCount) {
        DeviceIds.require(deviceId);
        return submit(clips -> clips.closeClip(deviceId, clipId, frameCount, clock.millis()));
    }

    @Override
    public ClipStatus status(String deviceId, long clipId) {
        lock.lock();
        try {
            ClipStatus known = index.status(deviceId, clipId);
            return known == null ? index.deletedStatus(deviceId, clipId) : known;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ClipStatus> openClips(String deviceId) {
        lock.lock();
        try {
            return index.openClips(deviceId);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StoreStats stats() {
        lock.lock();
        try {
            return writer.stats(index.size());
        } finally {
            lock.unlock();
        }
    }

    /** How many clips keep frame locations in memory and their bytes: bounded by open plus recently closed clips. */
    ClipIndex.LocationUse locationUse() {
        lock.lock();
        try {
            return index.locationUse();
        } finally {
            lock.unlock();
        }
    }

    /** Clips in full and in compact form and the bytes they hold: a scrape takes the lock once, for a moment. */
    @Override
    public IndexUse indexUse() {
        lock.lock();
        try {
            return index.indexUse();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String unavailableReason() {
        return closed.get() ? "the store is closed" : writer.unavailableReason();
    }

    /** Lists the segments directory: called by a scrape, not per record. */
    @Override
    public StoreUsage usage() {
        long count = 0;
        long bytes = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(segmentsDir, "*" + SegmentFormat.SUFFIX)) {
            for (Path file : files) {
                try {
                    bytes += Files.size(file);
                    count++;
                } catch (NoSuchFileException gone) {
                    // Removed between the listing and the look: not part of the store any more.
                }
            }
        } catch (IOException e) {
            log.debug("store usage: cannot list {}: {}", segmentsDir, e.toString());
            return null;
        }
        return new StoreUsage(count, bytes);
    }

    @Override
    public void startRetention(Duration limit, Duration every) {
        RetentionSweeper started = new RetentionSweeper(this, limit, every);
        sweeper = started;
        started.start();
    }

    @Override
    public RetentionCounts retentionCounts() {
        return retentionCounts.snapshot();
    }

    /** One retention pass now, on the caller's thread (the sweeper's, or a test's). */
    RetentionSweeper.Pass sweep(Duration limit) throws IOException {
        return new RetentionSweeper(this, limit, Duration.ofDays(1)).sweepOnce();
    }

    Path storeDir() {
        return storeDir;
    }

    Clock clock() {
        return clock;
    }

    RetentionSweeper.Counts counts() {
        return retentionCounts;
    }

    /**
     * Under the store's lock: the ledger lines made durable (the request kept first by the caller), then the clips
     * removed from the index. Clips not idle (a record of theirs waits to be written) are left for the next pass.
     */
    List<IdleClip> deleteIdle(java.util.function.Predicate<IdleClip> chosen, String reason, String detail)
            throws IOException {
        lock.lock();
        try {
            List<IdleClip> victims = index.idleClips().stream()
                    .filter(chosen)
                    .sorted(Comparator.comparing(IdleClip::deviceId)
                            .thenComparing(IdleClip::clipId, Long::compareUnsigned))
                    .toList();
            java.time.Instant now = clock.instant();
            List<String> lines = victims.stream()
                    .map(c -> RetentionLedger.deleteLine(
                            c.deviceId(),
                            c.clipId(),
                            reason,
                            detail,
                            now,
                            c.position(),
                            c.firstSegment(),
                            c.lastSegment()))
                    .toList();
            ledger.append(storeDir, lines, DiskOps.REAL, clock);
            victims.forEach(c -> index.remove(c.deviceId(), c.clipId()));
            return victims;
        } finally {
            lock.unlock();
        }
    }

    /** Compacts or removes a closed segment, and moves the index's locations of what it kept, under the lock. */
    Compactor.Outcome reclaim(long segment) throws IOException {
        Compactor.Outcome outcome =
                new Compactor(storeDir, ledger, DiskOps.REAL, clock, Compactor.Steps.NONE).compact(segment, -1);
        if (outcome == null) {
            return null;
        }
        lock.lock();
        try {
            index.moved(segment, outcome.oldOffsets(), outcome.newOffsets());
            reads.forget(segment);
        } finally {
            lock.unlock();
        }
        return outcome;
    }

    RetentionLedger ledger() {
        return ledger;
    }

    /**
     * Rewrites the retention ledger shorter (docs/FORMAT.md §6, "The ledger's rewrite") when {@code always}, or when
     * it has grown past {@link RetentionLedger#REWRITE_MIN_BYTES} and twice its size after the last rewrite (so the
     * rewrites cost a constant share of the appends). Under the store's lock: the index answers deleted clips from
     * the ledger, and must never see it half replaced.
     */
    RetentionLedger.Rewrite compactLedger(boolean always) throws IOException {
        if (!always && !ledger.grownPastRewrite(storeDir)) {
            return null;
        }
        lock.lock();
        try {
            RetentionLedger.Rewrite rewrite =
                    ledger.compact(storeDir, lowestKept(index), DiskOps.REAL, clock, Compactor.Steps.NONE, false);
            logRewrite(storeDir, rewrite);
            return rewrite;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Per device, the lowest chain position among the clips the store keeps, in either form of the index: no
     * watermark may reach it (a kept clip at or below a watermark would be skipped by every reader).
     */
    static Map<String, Long> lowestKept(ClipIndex index) {
        Map<String, Long> lowest = new HashMap<>();
        index.forEachPosition((deviceId, position) -> {
            if (position > 0) {
                lowest.merge(deviceId, position, Math::min);
            }
        });
        return lowest;
    }

    private static void logRewrite(Path dir, RetentionLedger.Rewrite rewrite) {
        if (rewrite != null) {
            log.info(
                    "retention ledger of {} rewritten (generation {}): {} lines, {} bytes before; {} lines, {} bytes"
                            + " after",
                    dir,
                    rewrite.generation(),
                    rewrite.linesBefore(),
                    rewrite.bytesBefore(),
                    rewrite.linesAfter(),
                    rewrite.bytesAfter());
        }
    }

    @Override
    public void observeCommits(CommitObserver observer) {
        writer.observeCommits(observer);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RetentionSweeper running = sweeper;
        if (running != null) {
            running.stop();
        }
        writer.stop();
        try {
            reads.close();
        } catch (IOException e) {
            log.warn("store read channels did not close cleanly: {}", e.toString());
        }
        try {
            storeLock.close();
        } catch (IOException e) {
            log.warn("store lock did not close cleanly: {}", e.toString());
        }
        log.info("store closed: {}", stats());
    }

    /** {@code decide} runs on the index under the lock, in the writer, which queues what it accepts. */
    private Submission submit(Function<ClipIndex, ClipIndex.Decision> decide) {
        ClipIndex.Decision decision = writer.submit(decide);
        // A conflict is logged by the session that was refused, within that device's log limit: a device that sends
        // conflicting frames in a loop must not fill the log from here.
        if (decision.check() == null) {
            return decision.submission();
        }
        Submission answer = decision.check() instanceof ClipIndex.FrameCheck frame
                ? compareDurable(frame)
                : compareHeader((ClipIndex.HeaderCheck) decision.check());
        return decision.check().scans() ? answer.asReadBack() : answer;
    }

    /** A header record never changes once durable (compaction moves it, under the lock): no lock needed here. */
    private Submission compareHeader(ClipIndex.HeaderCheck check) {
        StoredRecord record;
        try {
            record = reads.read(check.segment(), check.offset(), check.length());
        } catch (IOException e) {
            log.warn("store could not read back the header of {}: {}", check.clipName(), e.toString());
            return Submission.refused(
                    Outcome.STORAGE_UNAVAILABLE,
                    check.clipName() + ": the stored header could not be read back for comparison: " + e.getMessage());
        }
        if (!record.hasClipOpen()
                || record.getClipOpen().getClipId() != check.clipId()
                || !record.getClipOpen().getDeviceId().equals(check.deviceId())) {
            // Retention compacted the segment between the lookup and this read: the header moved; ask again.
            return Submission.refused(
                    Outcome.STORAGE_UNAVAILABLE,
                    check.clipName() + ": the stored header moved (retention compacted its segment); send it again");
        }
        return ClipIndex.headerCompared(check, record.getClipOpen().getHeader().toByteArray());
    }

    /** Durable frames never change, so this comparison needs no lock. */
    private Submission compareDurable(ClipIndex.FrameCheck check) {
        StoredFrame stored;
        if (!check.located()) {
            try {
                stored = reads.findFrame(
                        check.deviceId(), check.clipId(), check.seq(), check.segment(), check.lastSegment());
            } catch (IOException e) {
                log.warn("store could not read back {}: {}", check.clipName(), e.toString());
                return Submission.refused(
                        Outcome.STORAGE_UNAVAILABLE,
                        check.clipName() + ": the stored frame could not be read back for comparison: "
                                + e.getMessage());
            }
            if (stored == null) {
                // Retention deleted the clip between the lookup and this read: asked again, the index answers.
                return Submission.refused(
                        Outcome.STORAGE_UNAVAILABLE,
                        check.clipName() + ": the stored frame was not found in segments " + check.segment() + " to "
                                + check.lastSegment() + "; send it again");
            }
            return compared(check, stored);
        }
        try {
            StoredRecord record = reads.read(check.segment(), check.offset(), check.length());
            stored = record.getFrame();
            String at = "device " + stored.getDeviceId() + " clip " + Long.toUnsignedString(stored.getClipId())
                    + " frame " + Integer.toUnsignedString(stored.getSeq());
            if (!record.hasFrame() || !at.equals(check.clipName())) {
                // Retention compacted the segment between the lookup and this read: the frame moved; ask again.
                return Submission.refused(
                        Outcome.STORAGE_UNAVAILABLE,
                        check.clipName() + ": the stored frame moved (retention compacted its segment); send it again");
            }
        } catch (IOException e) {
            log.warn("store could not read back {}: {}", check.clipName(), e.toString());
            return Submission.refused(
                    Outcome.STORAGE_UNAVAILABLE,
                    check.clipName() + ": the stored frame could not be read back for comparison: " + e.getMessage());
        }
        return compared(check, stored);
    }

    private static Submission compared(ClipIndex.FrameCheck check, StoredFrame stored) {
        if (ClipIndex.sameFrame(stored, check.last(), check.meta(), check.sealed())) {
            return new Submission(
                    Outcome.DUPLICATE,
                    check.clipName() + ": identical frame already durable",
                    CompletableFuture.completedFuture(null));
        }
        return Submission.refused(
                Outcome.FRAME_CONFLICT,
                ClipIndex.conflict(check.clipName(), stored, check.last(), check.meta(), check.sealed()));
    }

    private static void checkSize(String what, long bytes) {
        if (bytes + RECORD_OVERHEAD > SegmentFormat.MAX_BODY_BYTES) {
            throw new IllegalArgumentException(what + " of " + bytes + " bytes exceeds the store's record limit of "
                    + (SegmentFormat.MAX_BODY_BYTES - RECORD_OVERHEAD) + " bytes");
        }
    }
}
