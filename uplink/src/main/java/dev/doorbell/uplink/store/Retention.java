package dev.doorbell.uplink.store;

import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.StoredRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Retention on a stopped store (docs/OPERATIONS.md, "Store tools and retention"): deletes whole clips, older than a
 * limit (the operator's policy) or named by an owner's request, and reclaims their space in closed segments
 * ({@link Compactor}). It takes the store's lock (refused while an uplink holds it) and first does what the uplink's
 * start does ({@link StoreRecovery}). The ledger lines come first, durably; then segments are removed or compacted,
 * one at a time. Records of deleted clips in the newest segment stay until that segment is closed: they are
 * skipped by every reader from the moment the ledger names the clip.
 */
public final class Retention {
    /**
     * A clip chosen for deletion: its last arrival (the store's own time), its framed bytes, chain position, and the
     * first and last segment holding a record of it.
     */
    public record Victim(
            String deviceId,
            long clipId,
            long lastArrivalMs,
            long bytes,
            long position,
            long firstSegment,
            long lastSegment) {}

    /**
     * What was done (or, for a dry run, would be): the clips, the request's tombstone file (null for the policy), the
     * segments removed or compacted, the bytes reclaimed now and those that wait in the newest segment.
     */
    public record Result(
            List<Victim> clips,
            String tombstone,
            List<String> segments,
            long reclaimedBytes,
            long waitingBytes,
            boolean dryRun) {}

    /** Per clip, gathered while the store is scanned. */
    private static final class Seen {
        long lastArrivalMs;
        long bytes;
        long position;
        long firstSegment = Long.MAX_VALUE;
        long lastSegment;
    }

    private Retention() {}

    /** Deletes every clip whose last record arrived longer than {@code olderThan} ago. */
    public static Result expire(Path dir, Duration olderThan, boolean dryRun, Clock clock) throws IOException {
        return expire(dir, olderThan, dryRun, clock, Compactor.Steps.NONE);
    }

    /** As above, stopping where {@code steps} says: the crash tests. */
    static Result expire(Path dir, Duration olderThan, boolean dryRun, Clock clock, Compactor.Steps steps)
            throws IOException {
        long limit = clock.millis() - olderThan.toMillis();
        String detail = "older-than=" + dev.doorbell.cli.DurationConverter.format(olderThan);
        return run(
                dir, dryRun, clock, (device, clip, seen) -> seen.lastArrivalMs < limit, "policy", detail, null, steps);
    }

    /** Deletes the clips an owner's request names, and keeps the request as a tombstone (not checked: no keys here). */
    public static Result delete(Path dir, byte[] requestBytes, boolean dryRun, Clock clock) throws IOException {
        ForgetRequest request = ForgetRequest.parse(requestBytes);
        return run(
                dir,
                dryRun,
                clock,
                (device, clip, seen) -> device.equals(request.deviceId()) && request.covers(clip, seen.position),
                "request",
                null,
                requestBytes,
                Compactor.Steps.NONE);
    }

    private interface Choice {
        boolean delete(String deviceId, long clipId, Seen seen);
    }

    private static Result run(
            Path dir,
            boolean dryRun,
            Clock clock,
            Choice choice,
            String reason,
            String detail,
            byte[] request,
            Compactor.Steps steps)
            throws IOException {
        if (!Files.isRegularFile(dir.resolve(SegmentFormat.MARKER_FILE))) {
            throw new IOException(dir + " is not a doorbell store: it has no " + SegmentFormat.MARKER_FILE + " marker");
        }
        try (StoreLock lock = StoreLock.acquire(dir)) {
            int version = StoreScan.version(dir);
            if (version < 2) {
                throw new IOException("store " + dir + " is v1: start the uplink on it once (it upgrades it to v2) "
                        + "before retention");
            }
            ClipIndex index = new ClipIndex();
            Map<String, Map<Long, Seen>> seen = new LinkedHashMap<>();
            StoreScan scan = StoreRecovery.recover(
                    dir, version, index, DiskOps.REAL, clock, action -> {}, (segment, offset, length, record) -> {
                        Seen s = seen.computeIfAbsent(deviceOf(record), d -> new HashMap<>())
                                .computeIfAbsent(clipOf(record), c -> new Seen());
                        s.lastArrivalMs = Math.max(s.lastArrivalMs, arrival(record));
                        s.bytes += length;
                        s.firstSegment = Math.min(s.firstSegment, segment);
                        s.lastSegment = Math.max(s.lastSegment, segment);
                        if (record.hasClipOpen()) {
                            s.position =
                                    position(record.getClipOpen().getHeader().toByteArray());
                        }
                    });
            List<Victim> victims = new ArrayList<>();
            seen.forEach((device, clips) -> clips.forEach((clip, s) -> {
                if (choice.delete(device, clip, s)) {
                    victims.add(new Victim(
                            device, clip, s.lastArrivalMs, s.bytes, s.position, s.firstSegment, s.lastSegment));
                }
            }));
            victims.sort(Comparator.comparing(Victim::deviceId).thenComparingLong(Victim::position));
            long newestNumber = scan.segments.isEmpty()
                    ? 0
                    : scan.segments.get(scan.segments.size() - 1).number();
            if (dryRun) {
                return new Result(List.copyOf(victims), null, List.of(), 0, 0, true);
            }
            Instant now = clock.instant();
            String tombstone = request == null ? null : RetentionLedger.keepRequest(dir, request, DiskOps.REAL);
            List<String> lines = new ArrayList<>();
            for (Victim v : victims) {
                lines.add(RetentionLedger.deleteLine(
                        v.deviceId(),
                        v.clipId(),
                        reason,
                        tombstone == null ? detail : tombstone,
                        now,
                        v.position(),
                        v.firstSegment(),
                        v.lastSegment()));
            }
            scan.ledger.append(dir, lines, DiskOps.REAL, clock);
            Compactor compactor = new Compactor(dir, scan.ledger, DiskOps.REAL, clock, steps);
            List<String> done = new ArrayList<>();
            long reclaimed = 0;
            for (StoreScan.Segment segment : scan.segments) {
                if (segment.number() >= newestNumber
                        || (scan.checkpoint != null && segment.number() >= scan.checkpoint.segment())) {
                    continue;
                }
                Compactor.Outcome outcome = compactor.compact(
                        segment.number(),
                        segment.expected() == null ? -1 : segment.expected().length());
                if (outcome != null) {
                    reclaimed += outcome.reclaimed();
                    done.add("segment " + SegmentFormat.segmentName(outcome.segment()) + " " + outcome.action() + " ("
                            + outcome.reclaimed() + " bytes reclaimed)");
                }
            }
            long waiting = waitingBytes(dir, scan.ledger, newestNumber);
            return new Result(List.copyOf(victims), tombstone, List.copyOf(done), reclaimed, waiting, false);
        }
    }

    /**
     * Rewrites the ledger of a stopped store shorter (docs/FORMAT.md §6, "The ledger's rewrite"), as the uplink does at
     * start: under the store's lock, after what the uplink's start does; null when there was nothing to drop.
     */
    public static RetentionLedger.Rewrite compactLedger(Path dir, Clock clock) throws IOException {
        return compactLedger(dir, clock, Compactor.Steps.NONE);
    }

    /** As above, stopping where {@code steps} says: the crash tests. */
    static RetentionLedger.Rewrite compactLedger(Path dir, Clock clock, Compactor.Steps steps) throws IOException {
        if (!Files.isRegularFile(dir.resolve(SegmentFormat.MARKER_FILE))) {
            throw new IOException(dir + " is not a doorbell store: it has no " + SegmentFormat.MARKER_FILE + " marker");
        }
        try (StoreLock lock = StoreLock.acquire(dir)) {
            int version = StoreScan.version(dir);
            if (version < 2) {
                throw new IOException("store " + dir + " is v1: start the uplink on it once (it upgrades it to v2)");
            }
            ClipIndex index = new ClipIndex();
            StoreScan scan = StoreRecovery.recover(dir, version, index, DiskOps.REAL, clock, action -> {});
            RetentionLedger.removeTemporary(dir);
            return scan.ledger.compact(dir, DirectoryStore.lowestKept(index), DiskOps.REAL, clock, steps, false);
        }
    }

    /** Bytes of deleted clips still in the newest segment: reclaimed once it is closed. */
    private static long waitingBytes(Path dir, RetentionLedger ledger, long newest) throws IOException {
        if (newest == 0) {
            return 0;
        }
        long[] bytes = {0};
        SegmentScanner.scan(
                dir.resolve(SegmentFormat.SEGMENTS_DIR).resolve(SegmentFormat.segmentName(newest)),
                newest,
                true,
                -1,
                false,
                (offset, length, record) -> bytes[0] += ClipIndex.deletedBy(ledger, record) != null ? length : 0);
        return bytes[0];
    }

    /** The chain position in a v3 header's public ChainLink; 0 for other headers (v1, v2, unreadable). */
    static long position(byte[] header) {
        try {
            SignedClipHeader signed = SignedClipHeader.parseFrom(header);
            return ClipHeader.parseFrom(signed.getHeader()).getChain().getPosition();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return 0;
        }
    }

    static String deviceOf(StoredRecord record) {
        return switch (record.getBodyCase()) {
            case CLIP_OPEN -> record.getClipOpen().getDeviceId();
            case FRAME -> record.getFrame().getDeviceId();
            case CLIP_CLOSE -> record.getClipClose().getDeviceId();
            default -> "";
        };
    }

    static long clipOf(StoredRecord record) {
        return switch (record.getBodyCase()) {
            case CLIP_OPEN -> record.getClipOpen().getClipId();
            case FRAME -> record.getFrame().getClipId();
            case CLIP_CLOSE -> record.getClipClose().getClipId();
            default -> 0;
        };
    }

    static long arrival(StoredRecord record) {
        return switch (record.getBodyCase()) {
            case CLIP_OPEN -> record.getClipOpen().getReceivedUnixMs();
            case FRAME -> record.getFrame().getReceivedUnixMs();
            case CLIP_CLOSE -> record.getClipClose().getReceivedUnixMs();
            default -> 0;
        };
    }
}
