package dev.doorbell.uplink.store;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.StoredClipClose;
import dev.doorbell.proto.v1.StoredClipOpen;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.proto.v1.StoredUplinkFlag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.ObjLongConsumer;

/**
 * Every clip the store knows, with the rules of docs/FORMAT.md §6: a header before its frames, frames once each in
 * seq order from 0, the close after the final frame. Not thread-safe: the store and the writer hold the store's
 * lock around every call. The same rules check live submissions and records replayed from disk.
 */
final class ClipIndex {
    /** A durable record that must be read back and compared with what was sent, outside the lock. */
    sealed interface ReadBack permits FrameCheck, HeaderCheck {
        String clipName();

        /** Whether the read may take more than one positional read: segments are scanned, or a header is read. */
        boolean scans();
    }

    /**
     * A frame already durable whose bytes must be read back and compared, outside the lock: at its location when
     * {@code located}, else (a closed clip whose locations were released) found by reading segments {@code segment}
     * to {@code lastSegment}, where the clip's records lie.
     */
    record FrameCheck(
            String clipName,
            String deviceId,
            long clipId,
            int seq,
            boolean located,
            long segment,
            long offset,
            int length,
            long lastSegment,
            boolean last,
            ByteString meta,
            ByteString sealed)
            implements ReadBack {
        @Override
        public boolean scans() {
            return !located;
        }
    }

    /**
     * A header sent for a clip whose header bytes the index does not keep (a closed clip in compact form): the header
     * record at this location is read back and compared. {@code damage} is why the clip is damaged, or null.
     */
    record HeaderCheck(String deviceId, long clipId, long segment, long offset, int length, byte[] sent, String damage)
            implements ReadBack {
        @Override
        public String clipName() {
            return "device " + deviceId + " clip " + Long.toUnsignedString(clipId);
        }

        @Override
        public boolean scans() {
            return true;
        }
    }

    /** Exactly one of a refusal or duplicate ({@code submission}), a new record ({@code queued}) or a check. */
    record Decision(Submission submission, PendingRecord queued, ReadBack check) {
        static Decision of(Outcome outcome, String detail) {
            return new Decision(Submission.refused(outcome, detail), null, null);
        }
    }

    /** Clips in full form: open ones, the most recently closed, damaged ones. */
    private final Map<String, Map<Long, ClipState>> byDevice = new HashMap<>();

    private int clips;
    /**
     * The most recently closed clips that keep their full form, oldest first; an older one takes compact form (a row
     * of {@link #compact}: no header bytes, no frame locations), so that memory stays bounded by a small constant per
     * clip however many clips the store holds. A damaged one keeps only its frame count.
     */
    private final Set<ClipState> locatedClosed = new LinkedHashSet<>();

    private final CompactClips compact = new CompactClips();

    private final int closedClipsLocated;

    /** Keeps every clip's frame locations: for the readers, which read every frame anyway. */
    ClipIndex() {
        this(Integer.MAX_VALUE);
    }

    /** Keeps frame locations for open clips and the {@code closedClipsLocated} most recently closed ones. */
    ClipIndex(int closedClipsLocated) {
        if (closedClipsLocated < 0) {
            throw new IllegalArgumentException("closedClipsLocated must not be negative, got " + closedClipsLocated);
        }
        this.closedClipsLocated = closedClipsLocated;
    }
    /** The clips retention deleted: they stay known as closed, so that a device never sends one again. */
    private RetentionLedger ledger = RetentionLedger.empty();

    /** From now on, clips deleted in {@code retention} are answered as deleted and take nothing more. */
    void forgetDeleted(RetentionLedger retention) {
        this.ledger = retention;
    }

    /** The deletion of the clip {@code record} belongs to, or null (a start record, a clip not deleted). */
    static RetentionLedger.Deletion deletedBy(RetentionLedger ledger, StoredRecord record) {
        return switch (record.getBodyCase()) {
            case CLIP_OPEN ->
                ledger.deletion(
                        record.getClipOpen().getDeviceId(), record.getClipOpen().getClipId());
            case FRAME ->
                ledger.deletion(
                        record.getFrame().getDeviceId(), record.getFrame().getClipId());
            case CLIP_CLOSE ->
                ledger.deletion(
                        record.getClipClose().getDeviceId(),
                        record.getClipClose().getClipId());
            default -> null;
        };
    }

    /** Removes a clip retention deleted; it is answered from the ledger from now on. */
    void remove(String deviceId, long clipId) {
        Map<Long, ClipState> deviceClips = byDevice.get(deviceId);
        ClipState removed = deviceClips == null ? null : deviceClips.remove(clipId);
        if (removed != null) {
            locatedClosed.remove(removed);
            clips--;
            if (deviceClips.isEmpty()) {
                byDevice.remove(deviceId);
            }
            return;
        }
        int row = compact.find(deviceId, clipId);
        if (row >= 0) {
            compact.remove(row);
        }
    }

    /** After a compaction of {@code segment}: the kept records of clips in memory moved (sorted old offsets). */
    void moved(long segment, long[] oldOffsets, long[] newOffsets) {
        for (Map<Long, ClipState> deviceClips : byDevice.values()) {
            for (ClipState clip : deviceClips.values()) {
                if (clip.firstSegment <= segment && segment <= clip.lastSegment) {
                    clip.durableFrames.moved(segment, oldOffsets, newOffsets);
                }
                if (clip.headerSegment == segment) {
                    int at = Arrays.binarySearch(oldOffsets, clip.headerOffset);
                    if (at < 0) {
                        throw new IllegalStateException("the header of " + clip.name() + " at segment " + segment
                                + " offset " + clip.headerOffset + " is not among the records compaction kept");
                    }
                    clip.headerOffset = newOffsets[at];
                }
            }
        }
        compact.moved(segment, oldOffsets, newOffsets);
    }

    /** What a device is told about a clip the index holds, in either form; null for one it does not hold. */
    ClipStatus status(String deviceId, long clipId) {
        ClipState clip = get(deviceId, clipId);
        if (clip != null) {
            return clip.status();
        }
        int row = compact.find(deviceId, clipId);
        if (row < 0) {
            return null;
        }
        int frames = compact.row(row).frameCount();
        return new ClipStatus(deviceId, clipId, frames, frames, true, true, true);
    }

    /** A deleted clip as a device is told about it: known and closed, nothing more to send (docs/PROTOCOL.md). */
    ClipStatus deletedStatus(String deviceId, long clipId) {
        return ledger.deletion(deviceId, clipId) == null
                ? null
                : new ClipStatus(deviceId, clipId, 0, 0, true, true, true);
    }

    Decision openClip(String deviceId, long clipId, byte[] header, List<StoredUplinkFlag> flags, long nowMs) {
        ClipState clip = get(deviceId, clipId);
        // By its id, or by its chain position at or below the device's watermark (docs/FORMAT.md §6).
        RetentionLedger.Deletion deleted =
                clip == null ? ledger.deletion(deviceId, clipId, Retention.position(header)) : null;
        if (deleted != null) {
            return Decision.of(
                    Outcome.CLIP_CLOSED,
                    "device " + deviceId + " clip " + Long.toUnsignedString(clipId) + ": deleted by retention ("
                            + deleted.reason() + " " + deleted.detail() + ", " + deleted.time()
                            + ") and takes nothing more");
        }
        if (clip == null) {
            int row = compact.find(deviceId, clipId);
            if (row >= 0) {
                CompactClips.Row closed = compact.row(row);
                return new Decision(
                        null,
                        null,
                        new HeaderCheck(
                                deviceId,
                                clipId,
                                closed.firstSegment(),
                                closed.headerOffset(),
                                closed.headerLength(),
                                header,
                                null));
            }
        }
        if (clip != null && clip.damage != null) {
            if (clip.header == null && clip.headerSegment >= 0) {
                return new Decision(
                        null,
                        null,
                        new HeaderCheck(
                                clip.deviceId,
                                clip.clipId,
                                clip.headerSegment,
                                clip.headerOffset,
                                clip.headerLength,
                                header,
                                clip.damage));
            }
            if (clip.header != null && Arrays.equals(clip.header, header)) {
                return duplicate(null, clip.name() + ": header already stored (the clip is damaged and takes no more)");
            }
            return Decision.of(Outcome.CLIP_CLOSED, damagedRefusal(clip));
        }
        if (clip != null) {
            if (!Arrays.equals(clip.header, header)) {
                return Decision.of(
                        Outcome.CLIP_CONFLICT,
                        clip.name() + ": already stored with other header bytes (" + clip.header.length
                                + " bytes stored, " + header.length + " bytes sent)");
            }
            return duplicate(clip.pendingOpen, clip.name() + ": header already stored");
        }
        clip = new ClipState(deviceId, clipId, header.clone());
        clip.lastArrivalMs = nowMs;
        clip.position = Retention.position(header);
        StoredRecord record = StoredRecord.newBuilder()
                .setClipOpen(StoredClipOpen.newBuilder()
                        .setDeviceId(deviceId)
                        .setClipId(clipId)
                        .setHeader(ByteString.copyFrom(header))
                        .setReceivedUnixMs(nowMs)
                        .addAllUplinkFlags(flags))
                .build();
        clip.pendingOpen = new PendingRecord(clip, record);
        byDevice.computeIfAbsent(deviceId, d -> new HashMap<>()).put(clipId, clip);
        clips++;
        return accepted(clip.pendingOpen, clip.name() + ": header queued");
    }

    /** {@code meta} and {@code sealed} are copies the store owns, made before the lock is taken. */
    Decision appendFrame(
            String deviceId, long clipId, int seq, boolean last, ByteString meta, ByteString sealed, long nowMs) {
        ClipState clip = get(deviceId, clipId);
        String where = "device " + deviceId + " clip " + Long.toUnsignedString(clipId) + " frame "
                + Integer.toUnsignedString(seq);
        if (clip == null) {
            int row = compact.find(deviceId, clipId);
            if (row >= 0) {
                return closedFrame(compact.row(row), where, seq, last, meta, sealed);
            }
            return Decision.of(Outcome.UNKNOWN_CLIP, where + ": no header stored for this clip");
        }
        if (clip.damage != null && Integer.compareUnsigned(seq, clip.persisted()) >= 0) {
            return Decision.of(Outcome.CLIP_CLOSED, where + ": " + damagedRefusal(clip));
        }
        if (Integer.compareUnsigned(seq, clip.received) < 0) {
            if (seq < clip.persisted()) {
                FrameLocations at = clip.durableFrames;
                FrameCheck check = at.released()
                        ? new FrameCheck(
                                where,
                                deviceId,
                                clipId,
                                seq,
                                false,
                                clip.firstSegment,
                                0,
                                0,
                                clip.lastSegment,
                                last,
                                meta,
                                sealed)
                        : new FrameCheck(
                                where,
                                deviceId,
                                clipId,
                                seq,
                                true,
                                at.segment(seq),
                                at.offset(seq),
                                at.length(seq),
                                at.segment(seq),
                                last,
                                meta,
                                sealed);
                return new Decision(null, null, check);
            }
            PendingRecord pending = clip.pendingFrames.get(seq - clip.persisted());
            StoredFrame stored = pending.record.getFrame();
            if (sameFrame(stored, last, meta, sealed)) {
                return duplicate(pending, where + ": identical frame already queued");
            }
            return Decision.of(Outcome.FRAME_CONFLICT, conflict(where, stored, last, meta, sealed));
        }
        if (clip.lastReceived || clip.closeReceived) {
            return Decision.of(
                    Outcome.CLIP_CLOSED,
                    where + ": the clip ended with frame " + (clip.received - 1)
                            + (clip.closeReceived ? " and is closed" : " (last)"));
        }
        if (seq != clip.received) {
            return Decision.of(Outcome.SEQUENCE_GAP, where + ": expected frame " + clip.received);
        }
        StoredRecord record = StoredRecord.newBuilder()
                .setFrame(StoredFrame.newBuilder()
                        .setDeviceId(deviceId)
                        .setClipId(clipId)
                        .setSeq(seq)
                        .setLast(last)
                        .setMeta(meta)
                        .setSealed(sealed)
                        .setReceivedUnixMs(nowMs))
                .build();
        PendingRecord pending = new PendingRecord(clip, record);
        clip.pendingFrames.add(pending);
        clip.lastArrivalMs = Math.max(clip.lastArrivalMs, nowMs);
        clip.received++;
        clip.lastReceived = last;
        return accepted(pending, where + ": queued (" + sealed.size() + " sealed bytes)");
    }

    /** A frame sent for a clip in compact form: as {@link #appendFrame} answers for a closed clip in full form. */
    private static Decision closedFrame(
            CompactClips.Row closed, String where, int seq, boolean last, ByteString meta, ByteString sealed) {
        if (Integer.compareUnsigned(seq, closed.frameCount()) < 0) {
            return new Decision(
                    null,
                    null,
                    new FrameCheck(
                            where,
                            closed.deviceId(),
                            closed.clipId(),
                            seq,
                            false,
                            closed.firstSegment(),
                            0,
                            0,
                            closed.lastSegment(),
                            last,
                            meta,
                            sealed));
        }
        return Decision.of(
                Outcome.CLIP_CLOSED,
                where + ": the clip ended with frame " + (closed.frameCount() - 1) + " and is closed");
    }

    Decision closeClip(String deviceId, long clipId, int frameCount, long nowMs) {
        ClipState clip = get(deviceId, clipId);
        String where = "device " + deviceId + " clip " + Long.toUnsignedString(clipId) + " close";
        if (clip == null) {
            int row = compact.find(deviceId, clipId);
            if (row >= 0) {
                int closedWith = compact.row(row).frameCount();
                if (closedWith == frameCount) {
                    return duplicate(null, where + ": already closed with " + frameCount + " frames");
                }
                return Decision.of(
                        Outcome.BAD_CLOSE,
                        where + ": already closed with " + closedWith + " frames, not "
                                + Integer.toUnsignedString(frameCount));
            }
            return Decision.of(Outcome.UNKNOWN_CLIP, where + ": no header stored for this clip");
        }
        if (clip.damage != null && !(clip.closePersisted && clip.closeFrameCount == frameCount)) {
            return Decision.of(Outcome.CLIP_CLOSED, where + ": " + damagedRefusal(clip));
        }
        if (clip.closeReceived) {
            if (clip.closeFrameCount == frameCount) {
                return duplicate(clip.pendingClose, where + ": already closed with " + frameCount + " frames");
            }
            return Decision.of(
                    Outcome.BAD_CLOSE,
                    where + ": already closed with " + clip.closeFrameCount + " frames, not "
                            + Integer.toUnsignedString(frameCount));
        }
        if (frameCount != clip.received || !clip.lastReceived) {
            return Decision.of(
                    Outcome.BAD_CLOSE,
                    where + ": frame_count " + Integer.toUnsignedString(frameCount) + " but " + clip.received
                            + " frames received" + (clip.lastReceived ? "" : " without a last frame"));
        }
        StoredRecord record = StoredRecord.newBuilder()
                .setClipClose(StoredClipClose.newBuilder()
                        .setDeviceId(deviceId)
                        .setClipId(clipId)
                        .setFrameCount(frameCount)
                        .setReceivedUnixMs(nowMs))
                .build();
        clip.pendingClose = new PendingRecord(clip, record);
        clip.closeReceived = true;
        clip.lastArrivalMs = Math.max(clip.lastArrivalMs, nowMs);
        clip.closeFrameCount = frameCount;
        return accepted(clip.pendingClose, where + ": queued");
    }

    /** The writer made {@code pending} durable; batches complete in queue order, so frames arrive in seq order. */
    void markDurable(PendingRecord pending) {
        ClipState clip = pending.clip;
        clip.durableIn(pending.segment);
        switch (pending.record.getBodyCase()) {
            case CLIP_OPEN -> {
                clip.pendingOpen = null;
                clip.headerSegment = pending.segment;
                clip.headerOffset = pending.offset;
                clip.headerLength = pending.length;
            }
            case FRAME -> {
                clip.pendingFrames.remove(0);
                clip.durableFrames.add(pending.segment, pending.offset, pending.length);
                clip.lastPersisted |= pending.record.getFrame().getLast();
            }
            case CLIP_CLOSE -> {
                clip.pendingClose = null;
                clip.closePersisted = true;
                locatedClosed.add(clip);
                if (locatedClosed.size() > closedClipsLocated) {
                    Iterator<ClipState> oldest = locatedClosed.iterator();
                    ClipState released = oldest.next();
                    oldest.remove();
                    if (released.compactable()) {
                        byDevice.get(released.deviceId).remove(released.clipId);
                        if (byDevice.get(released.deviceId).isEmpty()) {
                            byDevice.remove(released.deviceId);
                        }
                        clips--;
                        compact.add(released.compact());
                    } else {
                        released.durableFrames.release();
                        // The queue's array outlives the frames it held; a closed clip takes no frame again.
                        released.pendingFrames.trimToSize();
                    }
                }
            }
            default -> throw new IllegalStateException("record without a body");
        }
    }

    /** After a failed batch every pending record is dropped: each clip goes back to what is durable. */
    void rollbackToDurable() {
        for (Iterator<Map<Long, ClipState>> devices = byDevice.values().iterator(); devices.hasNext(); ) {
            Map<Long, ClipState> deviceClips = devices.next();
            for (Iterator<ClipState> it = deviceClips.values().iterator(); it.hasNext(); ) {
                if (!it.next().rollbackToDurable()) {
                    it.remove();
                    clips--;
                }
            }
            if (deviceClips.isEmpty()) {
                devices.remove();
            }
        }
    }

    /**
     * Applies a record read from disk at the given location as durable. Returns null, or what rule it breaks: then
     * the record is not applied and its clip is marked damaged (a clip whose header is lost is made for it), and
     * the clip's later records are not applied either. Start records belong to no clip.
     */
    String replay(StoredRecord record, long segment, long offset, int length) {
        if (record.hasSegmentStart()) {
            return null;
        }
        String deviceId;
        long clipId;
        switch (record.getBodyCase()) {
            case CLIP_OPEN -> {
                deviceId = record.getClipOpen().getDeviceId();
                clipId = record.getClipOpen().getClipId();
            }
            case FRAME -> {
                deviceId = record.getFrame().getDeviceId();
                clipId = record.getFrame().getClipId();
            }
            case CLIP_CLOSE -> {
                deviceId = record.getClipClose().getDeviceId();
                clipId = record.getClipClose().getClipId();
            }
            default -> {
                return "a record without a body";
            }
        }
        if (!DeviceIds.isValid(deviceId)) {
            return "a record with an invalid device id (" + deviceId.length() + " characters)";
        }
        ClipState known = get(deviceId, clipId);
        if (known == null) {
            int row = compact.find(deviceId, clipId);
            if (row >= 0) {
                // A record after a clip's close breaks the rules: the clip comes back to full form to be judged
                // and marked damaged as any clip would.
                known = ClipState.closed(compact.row(row));
                compact.remove(row);
                byDevice.computeIfAbsent(deviceId, d -> new HashMap<>()).put(clipId, known);
                clips++;
            }
        }
        if (known != null && known.damage != null) {
            return null;
        }
        Decision decision = switch (record.getBodyCase()) {
            case CLIP_OPEN ->
                known != null
                        ? Decision.of(Outcome.CLIP_CONFLICT, "a second header for " + known.name())
                        : openClip(
                                deviceId,
                                clipId,
                                record.getClipOpen().getHeader().toByteArray(),
                                record.getClipOpen().getUplinkFlagsList(),
                                0);
            case FRAME -> {
                StoredFrame frame = record.getFrame();
                yield appendFrame(
                        deviceId, clipId, frame.getSeq(), frame.getLast(), frame.getMeta(), frame.getSealed(), 0);
            }
            default -> closeClip(deviceId, clipId, record.getClipClose().getFrameCount(), 0);
        };
        if (decision.queued() == null) {
            String problem = decision.submission() != null
                    ? decision.submission().detail()
                    : "device " + deviceId + " clip " + Long.toUnsignedString(clipId) + " frame "
                            + Integer.toUnsignedString(record.getFrame().getSeq()) + " stored twice";
            ClipState clip = known;
            if (clip == null) {
                clip = new ClipState(deviceId, clipId, null);
                byDevice.computeIfAbsent(deviceId, d -> new HashMap<>()).put(clipId, clip);
                clips++;
            }
            markDamaged(clip, problem);
            return problem;
        }
        decision.queued().segment = segment;
        decision.queued().offset = offset;
        decision.queued().length = length;
        // Before markDurable: a close may move the clip, or an older one, to compact form, which copies these.
        decision.queued().clip.suspect = null;
        decision.queued().clip.lastArrivalMs =
                Math.max(decision.queued().clip.lastArrivalMs, Retention.arrival(record));
        markDurable(decision.queued());
        return null;
    }

    /**
     * Records were lost at {@code where} (a damaged range, a missing segment, a shortened one): every intact clip
     * open there may have lost some. One whose next record continues it without a gap did not; the others are
     * marked damaged by {@link #finishReplay()}.
     */
    void recordsLost(String where) {
        for (Map<Long, ClipState> deviceClips : byDevice.values()) {
            for (ClipState clip : deviceClips.values()) {
                if (clip.damage == null && !clip.closePersisted && clip.suspect == null) {
                    clip.suspect = where;
                }
            }
        }
    }

    /** After the whole log was replayed: the clips open where records were lost that nothing continued. */
    List<ClipState> finishReplay() {
        List<ClipState> damaged = new ArrayList<>();
        for (ClipState clip : all()) {
            if (clip.suspect != null) {
                markDamaged(clip, "it was open at " + clip.suspect + " and no later record continues it");
                damaged.add(clip);
            }
        }
        return damaged;
    }

    /** Every damaged clip, by device and clip id. */
    List<ClipState> damaged() {
        return all().stream().filter(c -> c.damage != null).toList();
    }

    private static void markDamaged(ClipState clip, String why) {
        clip.damage = why;
        clip.suspect = null;
        clip.pendingFrames.clear();
        clip.received = clip.persisted();
        clip.lastReceived = clip.lastPersisted;
    }

    private static String damagedRefusal(ClipState clip) {
        return "the store lost records of this clip (" + clip.damage + ") and takes nothing more for it";
    }

    ClipState get(String deviceId, long clipId) {
        Map<Long, ClipState> deviceClips = byDevice.get(deviceId);
        return deviceClips == null ? null : deviceClips.get(clipId);
    }

    List<ClipStatus> openClips(String deviceId) {
        List<ClipStatus> open = new ArrayList<>();
        for (ClipState clip : byDevice.getOrDefault(deviceId, Map.of()).values()) {
            if (!clip.closePersisted && clip.damage == null) {
                open.add(clip.status());
            }
        }
        open.sort(Comparator.comparingLong(ClipStatus::clipId));
        return open;
    }

    /** Every clip in full form (all of them in an index that keeps every clip's locations, as the readers use). */
    List<ClipState> all() {
        List<ClipState> all = new ArrayList<>(clips);
        byDevice.values().forEach(deviceClips -> all.addAll(deviceClips.values()));
        all.sort(Comparator.comparing((ClipState c) -> c.deviceId).thenComparing(c -> c.clipId, Long::compareUnsigned));
        return all;
    }

    int size() {
        return clips + compact.size();
    }

    /** Every clip nothing of which waits to be written, in either form, in no particular order: what retention reads. */
    List<IdleClip> idleClips() {
        List<IdleClip> idle = new ArrayList<>(size());
        for (Map<Long, ClipState> deviceClips : byDevice.values()) {
            for (ClipState clip : deviceClips.values()) {
                if (clip.idle()) {
                    idle.add(new IdleClip(
                            clip.deviceId,
                            clip.clipId,
                            clip.lastArrivalMs,
                            clip.position,
                            clip.firstSegment,
                            clip.lastSegment));
                }
            }
        }
        for (CompactClips.Row row : compact.rows()) {
            idle.add(new IdleClip(
                    row.deviceId(),
                    row.clipId(),
                    row.lastArrivalMs(),
                    row.position(),
                    row.firstSegment(),
                    row.lastSegment()));
        }
        return idle;
    }

    /** The device and chain position of every clip, in either form, idle or not (0 for a header without one). */
    void forEachPosition(ObjLongConsumer<String> action) {
        for (Map<Long, ClipState> deviceClips : byDevice.values()) {
            for (ClipState clip : deviceClips.values()) {
                action.accept(clip.deviceId, clip.position);
            }
        }
        for (CompactClips.Row row : compact.rows()) {
            action.accept(row.deviceId(), row.position());
        }
    }

    IndexUse indexUse() {
        int full = 0;
        long fullBytes = 0;
        for (Map<Long, ClipState> deviceClips : byDevice.values()) {
            for (ClipState clip : deviceClips.values()) {
                full++;
                fullBytes += clip.bytesHeld();
            }
        }
        return new IndexUse(full, fullBytes, compact.size(), compact.bytesHeld());
    }

    /** How many clips keep their frame locations, and the bytes those locations hold. */
    record LocationUse(int clipsLocated, long bytes) {}

    LocationUse locationUse() {
        int located = 0;
        long bytes = 0;
        for (Map<Long, ClipState> deviceClips : byDevice.values()) {
            for (ClipState clip : deviceClips.values()) {
                if (!clip.durableFrames.released()) {
                    located++;
                    bytes += clip.durableFrames.bytesHeld();
                }
            }
        }
        return new LocationUse(located, bytes);
    }

    static boolean sameFrame(StoredFrame stored, boolean last, ByteString meta, ByteString sealed) {
        return stored.getLast() == last
                && stored.getMeta().equals(meta)
                && stored.getSealed().equals(sealed);
    }

    static String conflict(String where, StoredFrame stored, boolean last, ByteString meta, ByteString sealed) {
        return where + ": differs from the stored frame (stored last=" + stored.getLast() + ", "
                + stored.getMeta().size()
                + " meta and " + stored.getSealed().size() + " sealed bytes; sent last=" + last + ", " + meta.size()
                + " meta and " + sealed.size() + " sealed bytes): possible nonce reuse, nothing overwritten";
    }

    /** The answer to a header sent again, once the stored header record was read back. */
    static Submission headerCompared(HeaderCheck check, byte[] stored) {
        if (Arrays.equals(stored, check.sent())) {
            return duplicateNow(check.clipName() + ": header already stored"
                    + (check.damage() == null ? "" : " (the clip is damaged and takes no more)"));
        }
        if (check.damage() != null) {
            // As for a damaged clip in full form, the session names the clip.
            return Submission.refused(
                    Outcome.CLIP_CLOSED,
                    "the store lost records of this clip (" + check.damage() + ") and takes nothing more for it");
        }
        return Submission.refused(
                Outcome.CLIP_CONFLICT,
                check.clipName() + ": already stored with other header bytes (" + stored.length + " bytes stored, "
                        + check.sent().length + " bytes sent)");
    }

    private static Submission duplicateNow(String detail) {
        return new Submission(Outcome.DUPLICATE, detail, CompletableFuture.completedFuture(null));
    }

    private static Decision accepted(PendingRecord pending, String detail) {
        return new Decision(new Submission(Outcome.ACCEPTED, detail, pending.durable), pending, null);
    }

    /** The caller gets its own future, so that completing it cannot disturb the original's. */
    private static Decision duplicate(PendingRecord original, String detail) {
        CompletableFuture<Void> follow = new CompletableFuture<>();
        if (original == null) {
            follow.complete(null);
        } else {
            original.durable.whenComplete((ok, error) -> {
                if (error == null) {
                    follow.complete(null);
                } else {
                    follow.completeExceptionally(error);
                }
            });
        }
        return new Decision(new Submission(Outcome.DUPLICATE, detail, follow), null, null);
    }
}
