package dev.doorbell.uplink.store;

import dev.doorbell.uplink.recipients.RecipientListFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening a store directory, with its lock held: making it on first use, checking its marker, then scanning it
 * ({@link StoreScan}) and acting on what was found: leftover temporary segments removed, each damaged range copied
 * aside ({@link DamagedRanges}), the newest segment's tail past what was committed cut. Acknowledged bytes are never
 * cut or rewritten. {@link #logFinding} logs a finding at its level: damage of acknowledged data at ERROR, never only
 * at INFO.
 */
final class StoreRecovery {
    private static final Logger log = LoggerFactory.getLogger(StoreRecovery.class);
    /** What a store whose making was interrupted may hold besides its segments: all of it is the uplink's own. */
    private static final Set<String> OWN_FILES = Set.of(
            SegmentFormat.LOCK_FILE,
            SegmentFormat.SEGMENTS_DIR,
            SegmentFormat.CHECKPOINT_FILE,
            SegmentFormat.CHECKPOINT_FILE + ".tmp",
            SegmentFormat.MARKER_FILE + ".tmp");
    /** The magic, a start record's frame header and its body, with room to spare. */
    private static final long START_ONLY_BYTES = 8 + 8 + 64;

    private StoreRecovery() {}

    /**
     * Makes {@code dir} a store or checks that it is one; returns the format version of its marker (1 or 2), or 0 for
     * a store being made now, whose marker is written last ({@link #writeMarker}), once its first segment and
     * checkpoint are durable: a store with a v2 marker always has a checkpoint. A directory without a marker is taken
     * only when it is empty but for what an interrupted making leaves (which is removed first).
     */
    static int prepare(Path dir, DiskOps ops) throws IOException {
        Path segments = dir.resolve(SegmentFormat.SEGMENTS_DIR);
        int version;
        if (Files.exists(dir.resolve(SegmentFormat.MARKER_FILE))) {
            version = StoreScan.version(dir);
        } else {
            clearInterruptedMaking(dir);
            version = 0;
        }
        StoreFiles.createDirectory(segments);
        restrictPermissions(dir);
        ops.forceDirectory(dir);
        return version;
    }

    /**
     * Scans the store into {@code index} and acts on what it finds. The index holds every valid record, damaged
     * clips marked; the returned scan says whether the newest segment can be continued and what a new one must name.
     */
    static StoreScan recover(Path dir, int version, ClipIndex index, DiskOps ops, Clock clock, Consumer<String> actions)
            throws IOException {
        return recover(dir, version, index, ops, clock, actions, null);
    }

    /** As above, telling {@code listener} about each clip record replayed. */
    static StoreScan recover(
            Path dir,
            int version,
            ClipIndex index,
            DiskOps ops,
            Clock clock,
            Consumer<String> actions,
            StoreScan.RecordListener listener)
            throws IOException {
        Path segmentsDir = dir.resolve(SegmentFormat.SEGMENTS_DIR);
        removeTemporarySegments(segmentsDir, actions);
        if (version == 0) {
            return StoreScan.empty(dir, index);
        }
        StoreScan scan = StoreScan.run(dir, version, -1, index, listener);
        List<Long> removedButPresent = scan.segments.stream()
                .map(StoreScan.Segment::number)
                .filter(scan.ledger::removed)
                .toList();
        if (!removedButPresent.isEmpty()) {
            // A stop between the ledger's "removed" line and the unlink: every record in it is of a deleted clip.
            new Compactor(dir, scan.ledger, ops, clock, Compactor.Steps.NONE).finishRemovals(removedButPresent);
            actions.accept("removed segments " + removedButPresent + " that the retention ledger had removed");
        }
        DamagedRanges kept = new DamagedRanges(dir, ops, clock);
        for (StoreScan.Segment segment : scan.segments) {
            for (SegmentScanner.DamagedRange range : segment.result().damaged()) {
                keep(kept, segment, range.start(), range.end(), range.reason(), actions);
            }
        }
        if (!scan.segments.isEmpty()) {
            cutNewestTail(scan.segments.get(scan.segments.size() - 1), kept, actions);
        }
        return scan;
    }

    /**
     * Cuts what follows the newest segment's last valid record when none of it was acknowledged: zero padding, a torn
     * tail (copied aside first when valid records follow in it), or a run of zeros too long for padding (a damaged
     * range, copied aside above). Bytes below the committed length are never cut.
     */
    private static void cutNewestTail(StoreScan.Segment newest, DamagedRanges kept, Consumer<String> actions)
            throws IOException {
        SegmentScanner.Result result = newest.result();
        SegmentScanner.Tail tail = result.tail();
        if (tail != null) {
            if (!tail.validRecordsInside()
                    || keep(kept, newest, tail.start(), tail.end(), "never acknowledged: " + tail.reason(), actions)) {
                cut(
                        newest.file(),
                        tail.start(),
                        tail.bytes(),
                        tail.padding() ? "zero padding" : "never acknowledged",
                        actions);
            }
            return;
        }
        if (result.damaged().isEmpty()) {
            return;
        }
        SegmentScanner.DamagedRange last = result.damaged().get(result.damaged().size() - 1);
        long committed = newest.expected() == null ? 0 : newest.expected().length();
        if (last.end() == result.size()
                && last.start() >= result.validEnd()
                && last.start() >= committed
                && Files.isRegularFile(kept.path(last))) {
            cut(newest.file(), last.start(), last.bytes(), last.reason() + ", copied aside", actions);
        }
    }

    /** Writes the v2 marker over whatever is there: temporary file, fsync, rename, directory fsync. */
    static void writeMarker(Path dir, DiskOps ops) throws IOException {
        Path marker = dir.resolve(SegmentFormat.MARKER_FILE);
        Path temp = dir.resolve(SegmentFormat.MARKER_FILE + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel =
                StoreFiles.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            byte[] line = (SegmentFormat.MARKER_LINE + "\n").getBytes(StandardCharsets.US_ASCII);
            ops.write(channel, new ByteBuffer[] {ByteBuffer.wrap(line)});
            ops.force(channel);
        }
        Files.move(temp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ops.forceDirectory(dir);
    }

    static void logFinding(StoreFinding finding) {
        switch (finding.kind()) {
            case UNACKNOWLEDGED, TORN_TAIL, UNCHECKED ->
                log.warn("store {}: {}", finding.kind().label(), finding.message());
            case PADDING, NOTE -> log.info("store {}: {}", finding.kind().label(), finding.message());
            default -> log.error("store {}: {}", finding.kind().label(), finding.message());
        }
    }

    /** Copies a range aside; false (logged) when that failed, and the range then stays only in its segment. */
    private static boolean keep(
            DamagedRanges kept,
            StoreScan.Segment segment,
            long start,
            long end,
            String reason,
            Consumer<String> actions) {
        String name = SegmentFormat.DAMAGED_DIR + "/" + DamagedRanges.fileName(segment.number(), start, end);
        try {
            if (kept.keep(segment.file(), segment.number(), start, end, reason)) {
                actions.accept("copied segment " + segment.file().getFileName() + " offset " + start + " to " + end
                        + " ("
                        + (end - start) + " bytes) aside to " + name + ", listed in " + SegmentFormat.DAMAGED_DIR + "/"
                        + SegmentFormat.RANGES_FILE);
            }
            return true;
        } catch (IOException e) {
            log.error(
                    "store could not copy segment {} offset {} to {} aside to {}: {}; the bytes stay in the segment",
                    segment.file().getFileName(),
                    start,
                    end,
                    name,
                    e.toString());
            return false;
        }
    }

    /** Cuts bytes that were never acknowledged from the end of the newest segment, durably. */
    private static void cut(Path segment, long from, long bytes, String what, Consumer<String> actions)
            throws IOException {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(from);
            channel.force(false);
        }
        actions.accept(
                "cut " + bytes + " bytes (" + what + ") from segment " + segment.getFileName() + " at offset " + from);
    }

    private static void removeTemporarySegments(Path segmentsDir, Consumer<String> actions) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(segmentsDir, "*" + SegmentFormat.TEMP_SUFFIX)) {
            for (Path entry : entries) {
                // A segment that was never renamed into place held only its magic and start record: nothing
                // acknowledged.
                Files.delete(entry);
                actions.accept("removed unfinished segment " + entry.getFileName());
            }
        }
    }

    /**
     * A directory with the lock but no marker: the making of a store stopped before its marker was written. It is
     * taken over only if everything in it is what that making writes (the lock, a checkpoint, segments holding no more
     * than a start record); those are removed, and the making starts again.
     */
    private static void clearInterruptedMaking(Path dir) throws IOException {
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.equals(RecipientListFiles.FOLDER)) {
                    // Published before the first serve made the store: the operator's, kept as it is.
                    continue;
                }
                if (!OWN_FILES.contains(name)) {
                    throw new IOException("refusing to make a store in " + dir + ": it has no "
                            + SegmentFormat.MARKER_FILE + " marker and holds " + name);
                }
                if (name.equals(SegmentFormat.SEGMENTS_DIR)) {
                    leftovers.addAll(startOnlySegments(entry, dir));
                } else if (!name.equals(SegmentFormat.LOCK_FILE)) {
                    leftovers.add(entry);
                }
            }
        }
        for (Path leftover : leftovers) {
            Files.delete(leftover);
        }
        if (!leftovers.isEmpty()) {
            log.info(
                    "store in {}: removed {} files of a making that was interrupted; making it again",
                    dir,
                    leftovers.size());
        }
    }

    private static List<Path> startOnlySegments(Path segments, Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(segments)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                boolean segment = SegmentFormat.segmentNumber(name) > 0
                        || (name.endsWith(SegmentFormat.TEMP_SUFFIX)
                                && SegmentFormat.segmentNumber(name.substring(0, name.length() - 4)) > 0);
                if (!segment || !Files.isRegularFile(entry) || Files.size(entry) > START_ONLY_BYTES) {
                    throw new IOException("refusing to make a store in " + dir + ": it has no "
                            + SegmentFormat.MARKER_FILE + " marker and its segments/ holds " + name);
                }
                found.add(entry);
            }
        }
        return found;
    }

    /**
     * Files 0600 and folders 0700: a store made by an older uplink (0644 and 0755) is narrowed when it is opened.
     */
    private static void restrictPermissions(Path dir) throws IOException {
        int narrowed = StoreFiles.restrict(dir, true) ? 1 : 0;
        for (String name : List.of(SegmentFormat.MARKER_FILE, SegmentFormat.LOCK_FILE, SegmentFormat.CHECKPOINT_FILE)) {
            if (Files.exists(dir.resolve(name)) && StoreFiles.restrict(dir.resolve(name), false)) {
                narrowed++;
            }
        }
        for (String folder : List.of(SegmentFormat.SEGMENTS_DIR, SegmentFormat.DAMAGED_DIR)) {
            Path path = dir.resolve(folder);
            if (!Files.isDirectory(path)) {
                continue;
            }
            narrowed += StoreFiles.restrict(path, true) ? 1 : 0;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
                for (Path entry : entries) {
                    if (Files.isRegularFile(entry) && StoreFiles.restrict(entry, false)) {
                        narrowed++;
                    }
                }
            }
        }
        if (narrowed > 0) {
            log.info(
                    "store in {}: made {} files and folders private (0600 and 0700), as an older uplink left them "
                            + "readable by other users",
                    dir,
                    narrowed);
        }
    }
}
