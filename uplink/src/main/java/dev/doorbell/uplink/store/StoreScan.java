package dev.doorbell.uplink.store;

import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.proto.v1.StoredSegmentStart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks of docs/FORMAT.md §6 ("Reading a store", the rules the owner's readers follow too) over a whole store,
 * without changing it: every segment read with resynchronisation, committed lengths from the start records and the
 * checkpoint, missing and shortened segments, bad start records, a damaged checkpoint, and the clips that lost
 * records. Records are replayed into a {@link ClipIndex} in log order. What it finds is a list of {@link
 * StoreFinding}s; what to do about them is the caller's (the uplink's start, {@code fsck}).
 */
final class StoreScan {
    /** What a segment was committed to hold, and who says so. */
    record Expectation(long length, long records, String source, boolean fromCheckpoint) {}

    /** One segment as scanned, with its expectation (null when none can be known). */
    record Segment(long number, Path file, SegmentScanner.Result result, Expectation expected) {}

    /** The segment the next new segment's start record names, and its committed length and records. */
    record Chain(long segment, long length, long records) {}

    /** Told about each clip record of the log that is replayed (not those of deleted clips), in log order. */
    interface RecordListener {
        void record(long segment, long offset, int length, StoredRecord record);
    }

    final int version;
    final Checkpoint checkpoint;
    final List<Segment> segments = new ArrayList<>();
    final List<StoreFinding> findings = new ArrayList<>();
    long records;
    long bytes;
    /** Whether the uplink may go on appending to the newest segment: it holds what was committed, undamaged. */
    boolean newestResumable;
    /** What a new segment's start record must carry: the newest committed state known. */
    Chain chain = new Chain(0, 0, 0);
    /** The number a new segment gets. */
    long nextNumber = 1;

    private final Path storeDir;
    private final ClipIndex index;
    private final String checkpointProblem;
    private final Map<Long, SegmentScanner.Start> starts = new HashMap<>();
    private final Map<Long, Expectation> expected = new HashMap<>();
    /** Segments missing before a present segment, by that segment. */
    private final Map<Long, String> missingBefore = new HashMap<>();

    private String missingAtEnd;
    private boolean checkpointFarBehind;
    private RecordListener listener;
    /** The segment being scanned, for the visitor. */
    private long current;

    private long clipRecords;
    /** What retention deleted, removed and compacted: its records are skipped, its segments are not missing. */
    final RetentionLedger ledger;
    /** Records of deleted clips still in a segment (the newest one, or one not compacted yet): skipped. */
    long deletedRecords;

    private StoreScan(
            Path storeDir,
            int version,
            Checkpoint checkpoint,
            String checkpointProblem,
            ClipIndex index,
            RetentionLedger ledger) {
        this.storeDir = storeDir;
        this.ledger = ledger;
        this.version = version;
        this.checkpoint = checkpoint;
        this.checkpointProblem = checkpointProblem;
        this.index = index;
    }

    /** The scan of a store being made: nothing in it yet. */
    static StoreScan empty(Path storeDir, ClipIndex index) {
        return new StoreScan(storeDir, 2, null, null, index, RetentionLedger.empty());
    }

    /** The store's format version from its marker: 1 or 2; anything else is refused naming what it reads. */
    static int version(Path storeDir) throws IOException {
        Path marker = storeDir.resolve(SegmentFormat.MARKER_FILE);
        if (!Files.isRegularFile(marker)) {
            throw new IOException(
                    storeDir + " is not a doorbell store: it has no " + SegmentFormat.MARKER_FILE + " marker");
        }
        String content = Files.readString(marker, StandardCharsets.US_ASCII);
        if (content.equals(SegmentFormat.MARKER_LINE + "\n")) {
            return 2;
        }
        if (content.equals(SegmentFormat.MARKER_LINE_V1 + "\n")) {
            return 1;
        }
        String line = content.strip();
        throw new IOException(storeDir + " is not a doorbell store this uplink reads: its marker reads '"
                + (line.length() > 40 ? line.substring(0, 40) + "..." : line) + "'");
    }

    /** Segment numbers present in {@code segments/}, in order; temporary and other files are not segments. */
    static List<Long> segmentNumbers(Path segmentsDir) throws IOException {
        List<Long> numbers = new ArrayList<>();
        if (!Files.isDirectory(segmentsDir)) {
            return numbers;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(segmentsDir, "*" + SegmentFormat.SUFFIX)) {
            for (Path entry : entries) {
                long number = SegmentFormat.segmentNumber(entry.getFileName().toString());
                if (number > 0) {
                    numbers.add(number);
                }
            }
        }
        Collections.sort(numbers);
        return numbers;
    }

    /**
     * Scans the store in {@code storeDir} (of format {@code version}) into {@code index}.
     *
     * @param livePid the pid of the uplink holding the store, or -1 when none does: a live store is read only up to
     *     its checkpoint (segments after the checkpoint's and bytes past its length are being written)
     */
    static StoreScan run(Path storeDir, int version, long livePid, ClipIndex index) throws IOException {
        return run(storeDir, version, livePid, index, null);
    }

    /** As {@link #run(Path, int, long, ClipIndex)}, telling {@code listener} about each clip record replayed. */
    static StoreScan run(Path storeDir, int version, long livePid, ClipIndex index, RecordListener listener)
            throws IOException {
        Checkpoint checkpoint = null;
        String problem = null;
        if (version >= 2) {
            CheckpointFile.Contents contents = CheckpointFile.read(storeDir.resolve(SegmentFormat.CHECKPOINT_FILE));
            checkpoint = contents.latest();
            problem = contents.problem();
        }
        RetentionLedger ledger = RetentionLedger.read(storeDir);
        index.forgetDeleted(ledger);
        StoreScan scan = new StoreScan(storeDir, version, checkpoint, problem, index, ledger);
        ledger.problems().forEach(p -> scan.add(StoreFinding.Kind.UNCHECKED, p));
        scan.listener = listener;
        scan.scanAll(livePid);
        return scan;
    }

    private void scanAll(long livePid) throws IOException {
        Path segmentsDir = storeDir.resolve(SegmentFormat.SEGMENTS_DIR);
        List<Long> numbers = segmentNumbers(segmentsDir);
        if (livePid != -1) {
            noteLive(livePid, numbers);
        }
        if (version < 2) {
            add(
                    StoreFinding.Kind.UNCHECKED,
                    "a v1 store has no checkpoint and no start records: a store shorter than what "
                            + "was acknowledged cannot be detected");
        } else {
            for (long number : numbers) {
                SegmentScanner.Start start =
                        SegmentScanner.readStart(segmentsDir.resolve(SegmentFormat.segmentName(number)), number);
                if (start != null) {
                    starts.put(number, start);
                }
            }
        }
        List<Long> numbering = withRemoved(numbers);
        checkNumbers(numbering);
        if (version >= 2) {
            checkStarts(numbering);
            checkCheckpoint(numbers);
            compacted(segmentsDir, numbers);
        }
        SegmentScanner.Visitor visitor = new SegmentScanner.Visitor() {
            @Override
            public void record(long offset, int recordLength, StoredRecord record) {
                bytes += recordLength;
                clipRecords += record.hasSegmentStart() ? 0 : 1;
                if (ledger.deletedBy(record) != null) {
                    deletedRecords++;
                    return;
                }
                if (listener != null && !record.hasSegmentStart()) {
                    listener.record(current, offset, recordLength, record);
                }
                String problem = index.replay(record, current, offset, recordLength);
                if (problem != null) {
                    add(
                            StoreFinding.Kind.CLIP,
                            "segment " + SegmentFormat.segmentName(current) + " offset " + offset + ": " + problem
                                    + "; the clip is marked damaged");
                }
            }

            @Override
            public void damaged(SegmentScanner.DamagedRange range) {
                add(StoreFinding.Kind.DAMAGED, range.where() + ": " + range.reason());
                index.recordsLost(range.where());
            }
        };
        for (int i = 0; i < numbers.size(); i++) {
            long number = numbers.get(i);
            current = number;
            if (missingBefore.containsKey(number)) {
                index.recordsLost(missingBefore.get(number));
            }
            Expectation expectation = expected.get(number);
            boolean stop = livePid != -1 && checkpoint != null && number == checkpoint.segment();
            Path file = segmentsDir.resolve(SegmentFormat.segmentName(number));
            SegmentScanner.Result result = SegmentScanner.scan(
                    file,
                    number,
                    i == numbers.size() - 1,
                    expectation == null ? -1 : expectation.length(),
                    stop,
                    visitor);
            segments.add(new Segment(number, file, result, expectation));
            records += result.records();
            check(result, expectation);
            if (version >= 2 && !starts.containsKey(number) && isAfterFirstStart(numbers, i)) {
                missingStart(number, numbers.get(i - 1), result);
            }
        }
        if (missingAtEnd != null) {
            index.recordsLost(missingAtEnd);
        }
        if (version >= 2 && checkpointProblem != null && !(clipRecords == 0 && numbers.size() <= 1)) {
            add(
                    StoreFinding.Kind.CHECKPOINT,
                    checkpointProblem + ": what was acknowledged in the newest segment cannot be " + "checked");
        }
        for (ClipState clip : index.finishReplay()) {
            add(StoreFinding.Kind.CLIP, clip.name() + ": " + clip.damage + "; the clip is marked damaged");
        }
        decideNewest(numbers);
    }

    /**
     * The present segments and those retention removed below the newest present one: a removed segment counts as
     * present, holding nothing, for the numbering and the chain of start records (it is never missing).
     */
    private List<Long> withRemoved(List<Long> numbers) {
        if (numbers.isEmpty()) {
            return numbers;
        }
        long newest = numbers.get(numbers.size() - 1);
        List<Long> all = new ArrayList<>(numbers);
        for (long k : ledger.removedSegments()) {
            if (k < newest && !numbers.contains(k)) {
                all.add(k);
            }
        }
        Collections.sort(all);
        return all;
    }

    private boolean absentRemoved(long number) {
        return ledger.removed(number) && !starts.containsKey(number) && !Files.exists(segmentFile(number));
    }

    private Path segmentFile(long number) {
        return storeDir.resolve(SegmentFormat.SEGMENTS_DIR).resolve(SegmentFormat.segmentName(number));
    }

    /**
     * A segment that the ledger says was compacted, and whose file is that compacted file (its length and CRC32C
     * match a compacted line), is committed to hold what the line says; a file that matches no line is the original
     * (a stop before the rename), read by the usual rules.
     */
    private void compacted(Path segmentsDir, List<Long> numbers) throws IOException {
        for (long k : numbers) {
            List<RetentionLedger.Compaction> lines = ledger.compactions(k);
            if (lines.isEmpty()) {
                continue;
            }
            Path file = segmentsDir.resolve(SegmentFormat.segmentName(k));
            long size = Files.size(file);
            Integer crc = null;
            for (RetentionLedger.Compaction c : lines) {
                if (c.length() != size) {
                    continue;
                }
                crc = crc == null ? Compactor.fileCrc(file) : crc;
                if (c.crc() == crc) {
                    expected.put(
                            k,
                            new Expectation(
                                    c.length(),
                                    c.records(),
                                    "the retention ledger (compacted " + c.time() + ")",
                                    false));
                }
            }
        }
    }

    private boolean isAfterFirstStart(List<Long> numbers, int i) {
        for (int j = 0; j < i; j++) {
            if (starts.containsKey(numbers.get(j))) {
                return true;
            }
        }
        return false;
    }

    private void noteLive(long livePid, List<Long> numbers) {
        if (checkpoint == null) {
            add(
                    StoreFinding.Kind.UNCHECKED,
                    "live store (uplink pid " + livePid + ") without a valid checkpoint: the "
                            + "newest segment's tail may be in the middle of being written");
            return;
        }
        numbers.removeIf(n -> n > checkpoint.segment());
        add(
                StoreFinding.Kind.NOTE,
                "live store (uplink pid " + livePid + "): read up to the last group commit, segment "
                        + SegmentFormat.segmentName(checkpoint.segment()) + " offset " + checkpoint.length());
    }

    /** Gaps in the numbers, and segments below the lowest one present. */
    private void checkNumbers(List<Long> numbers) {
        for (int i = 1; i < numbers.size(); i++) {
            long a = numbers.get(i - 1);
            long b = numbers.get(i);
            if (b > a + 1) {
                missing(b, missingRange(a + 1, b - 1));
            }
        }
        if (numbers.isEmpty()) {
            return;
        }
        long lowest = numbers.get(0);
        SegmentScanner.Start start = starts.get(lowest);
        if (start != null) {
            long named = start.record().getPreviousSegment();
            if (named >= lowest) {
                add(
                        StoreFinding.Kind.CHAIN,
                        "segment " + SegmentFormat.segmentName(lowest) + " begins with a start record "
                                + "naming segment " + Long.toUnsignedString(named) + " before it");
            } else if (named > 0) {
                missing(
                        lowest,
                        missingRange(1, named) + " (segment " + SegmentFormat.segmentName(lowest) + "'s start "
                                + "record names " + SegmentFormat.segmentName(named) + " before it)");
            }
        } else if (lowest > 1) {
            missing(lowest, missingRange(1, lowest - 1));
        }
    }

    /** From the lowest segment with a start record on, each start record names the segment before it. */
    private void checkStarts(List<Long> numbers) {
        int first = -1;
        for (int i = 0; i < numbers.size() && first < 0; i++) {
            if (starts.containsKey(numbers.get(i))) {
                first = i;
            }
        }
        if (first < 0) {
            if (numbers.stream().anyMatch(k -> !absentRemoved(k))) {
                add(StoreFinding.Kind.CHAIN, "no segment begins with a start record, in a v2 store");
            }
            return;
        }
        if (first > 0 && numbers.subList(0, first).stream().anyMatch(k -> !absentRemoved(k))) {
            add(
                    StoreFinding.Kind.UNCHECKED,
                    (first == 1
                                    ? "segment " + SegmentFormat.segmentName(numbers.get(0)) + " predates"
                                    : "segments " + SegmentFormat.segmentName(numbers.get(0)) + " to "
                                            + SegmentFormat.segmentName(numbers.get(first - 1)) + " predate")
                            + " start records (v1 segments of an "
                            + "upgraded store): only the last one's committed length is checked");
        }
        for (int i = Math.max(first, 1); i < numbers.size(); i++) {
            long number = numbers.get(i);
            long previous = numbers.get(i - 1);
            SegmentScanner.Start start = starts.get(number);
            if (start == null) {
                continue;
            }
            StoredSegmentStart record = start.record();
            long named = record.getPreviousSegment();
            String name = SegmentFormat.segmentName(number);
            if (named == previous) {
                committed(
                        previous,
                        new Expectation(
                                record.getPreviousLength(),
                                record.getPreviousRecords(),
                                "the start record of segment " + name,
                                false));
            } else if (named == 0 || named < previous || named >= number) {
                add(
                        StoreFinding.Kind.CHAIN,
                        "segment " + name + "'s start record names "
                                + (named == 0 ? "no segment" : "segment " + Long.toUnsignedString(named))
                                + " before it, but segment "
                                + SegmentFormat.segmentName(previous) + " precedes it");
            }
            // A number between the previous present segment and this one: those segments are missing (checkNumbers).
        }
    }

    /** The checkpoint against the newest segment, and against start records that name the same segment. */
    private void checkCheckpoint(List<Long> numbers) {
        if (checkpoint == null) {
            return;
        }
        long newest = numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1);
        long named = checkpoint.segment();
        if (named > newest) {
            missingAtEnd = (newest == 0
                            ? "every segment up to " + SegmentFormat.segmentName(named) + " is missing"
                            : "segments after " + SegmentFormat.segmentName(newest) + " are missing")
                    + " (the checkpoint names "
                    + "segment " + SegmentFormat.segmentName(named) + ")";
            add(StoreFinding.Kind.MISSING, missingAtEnd);
            return;
        }
        if (named < newest - 1) {
            checkpointFarBehind = true;
            add(
                    StoreFinding.Kind.CHECKPOINT,
                    "the checkpoint names segment " + SegmentFormat.segmentName(named)
                            + ", more than one below the newest segment " + SegmentFormat.segmentName(newest));
        }
        Expectation byStart = expected.get(named);
        if (byStart == null) {
            if (numbers.contains(named)) {
                committed(named, new Expectation(checkpoint.length(), checkpoint.records(), "the checkpoint", true));
            }
        } else if (byStart.length() != checkpoint.length() || byStart.records() != checkpoint.records()) {
            add(
                    StoreFinding.Kind.CHECKPOINT,
                    "the checkpoint says segment " + SegmentFormat.segmentName(named)
                            + " committed " + checkpoint.length() + " bytes and " + checkpoint.records() + " records, "
                            + byStart.source() + " says " + byStart.length() + " bytes and " + byStart.records()
                            + " records");
        }
        if (named == newest - 1 && starts.containsKey(newest)) {
            // A stop between making a segment and checkpointing it: that segment committed its start record only.
            committed(
                    newest,
                    new Expectation(
                            starts.get(newest).end(),
                            1,
                            "its start record (the checkpoint names the segment before it)",
                            false));
        }
    }

    private void committed(long segment, Expectation expectation) {
        if (expectation.length() < SegmentFormat.MAGIC.length) {
            add(
                    expectation.fromCheckpoint() ? StoreFinding.Kind.CHECKPOINT : StoreFinding.Kind.CHAIN,
                    expectation.source()
                            + " gives segment " + SegmentFormat.segmentName(segment) + " a committed length of "
                            + expectation.length()
                            + ", below its 8-byte magic");
            return;
        }
        expected.put(segment, expectation);
    }

    /** A segment after the first start record that does not begin with one. */
    private void missingStart(long number, long previous, SegmentScanner.Result result) {
        if (result.startDamaged()) {
            add(
                    StoreFinding.Kind.UNCHECKED,
                    "segment " + SegmentFormat.segmentName(number) + "'s start record lies in a "
                            + "damaged range: segment " + SegmentFormat.segmentName(previous)
                            + "'s committed length cannot be checked");
        } else {
            add(
                    StoreFinding.Kind.CHAIN,
                    "segment " + SegmentFormat.segmentName(number) + " does not begin with a start " + "record");
        }
    }

    /** One segment's records against what was committed, and its tail. */
    private void check(SegmentScanner.Result result, Expectation expectation) {
        String name = SegmentFormat.segmentName(result.number());
        if (expectation != null) {
            if (result.size() < expectation.length()) {
                add(
                        StoreFinding.Kind.SHORTENED,
                        "segment " + name + " is shorter than committed: " + result.size() + " of "
                                + expectation.length() + " bytes, " + result.committedRecords() + " of "
                                + expectation.records()
                                + " records (committed by " + expectation.source() + ")");
                index.recordsLost("the end of segment " + name + " (offsets " + result.size() + " to "
                        + expectation.length() + ")");
            } else if (result.committedRecords() != expectation.records()
                    && !result.damagedBelow(expectation.length())) {
                add(
                        expectation.fromCheckpoint() ? StoreFinding.Kind.CHECKPOINT : StoreFinding.Kind.CHAIN,
                        "segment " + name
                                + " holds " + result.committedRecords() + " records below its committed length "
                                + expectation.length()
                                + ", " + expectation.source() + " says " + expectation.records());
            }
            if (result.unacknowledged() > 0) {
                add(
                        StoreFinding.Kind.UNACKNOWLEDGED,
                        "segment " + name + " holds " + result.unacknowledged() + " records "
                                + "past its committed length " + expectation.length()
                                + ": never acknowledged, read and kept");
            }
        }
        SegmentScanner.Tail tail = result.tail();
        if (tail == null) {
            return;
        }
        if (tail.padding()) {
            add(
                    StoreFinding.Kind.PADDING,
                    "segment " + name + ": " + tail.bytes() + " bytes of zero padding at offset " + tail.start());
        } else {
            add(
                    StoreFinding.Kind.TORN_TAIL,
                    "segment " + name + ": a torn tail of " + tail.bytes() + " bytes at offset "
                            + tail.start() + (expectation != null ? ", past its committed length," : "")
                            + " never acknowledged: "
                            + tail.reason()
                            + (tail.validRecordsInside()
                                    ? "; valid records follow in it (an earlier write was torn)"
                                    : ""));
        }
    }

    private void decideNewest(List<Long> numbers) {
        long newest = numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1);
        nextNumber = Math.max(newest, checkpoint == null ? 0 : checkpoint.segment()) + 1;
        Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        if (checkpoint != null && checkpoint.segment() >= newest) {
            chain = new Chain(checkpoint.segment(), checkpoint.length(), checkpoint.records());
        } else if (last != null) {
            chain = new Chain(newest, last.result().validEnd(), last.result().records());
        }
        if (version < 2 || checkpoint == null || last == null || checkpointFarBehind || missingAtEnd != null) {
            return;
        }
        Expectation expectation = last.expected();
        SegmentScanner.Result result = last.result();
        newestResumable = expectation != null
                && result.size() >= expectation.length()
                && result.committedRecords() == expectation.records()
                && !result.damagedBelow(expectation.length());
        if (newestResumable) {
            chain = new Chain(newest, result.validEnd(), result.records());
        }
    }

    private void missing(long before, String message) {
        missingBefore.merge(before, message, (a, b) -> a + "; " + b);
        add(StoreFinding.Kind.MISSING, message);
    }

    private static String missingRange(long from, long to) {
        return from == to
                ? "segment " + SegmentFormat.segmentName(from) + " is missing"
                : "segments " + SegmentFormat.segmentName(from) + " to " + SegmentFormat.segmentName(to)
                        + " are missing";
    }

    private void add(StoreFinding.Kind kind, String message) {
        findings.add(new StoreFinding(kind, message));
    }

    /** The findings that mean acknowledged data is lost or unreadable. */
    List<StoreFinding> damage() {
        return findings.stream().filter(StoreFinding::damage).toList();
    }
}
