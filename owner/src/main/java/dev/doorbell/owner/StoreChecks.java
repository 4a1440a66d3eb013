package dev.doorbell.owner;

import dev.doorbell.owner.ClipAssembly.Hole;
import dev.doorbell.owner.SegmentScan.Committed;
import dev.doorbell.owner.StoreFinding.Kind;
import dev.doorbell.proto.v1.StoredSegmentStart;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The checks of a store as a whole (docs/FORMAT.md §6, "Findings"): gaps in the segment numbers, the start records,
 * the checkpoint, and whether each segment holds what was committed. They give the committed lengths the segments
 * are read with, and the holes of the log that clips learn about.
 */
final class StoreChecks {
    /** A segment's valid start record and the length of its framed record. */
    record Start(StoredSegmentStart record, int framedLength) {}

    private static final int MAGIC_BYTES = StoreDirectoryReader.SEGMENT_MAGIC.length;

    private final List<Long> numbers;
    final Map<Long, Start> starts = new HashMap<>();
    final Map<Long, Committed> committed = new HashMap<>();
    final List<StoreFinding> findings = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final List<Hole> holes = new ArrayList<>();

    private final RetentionLog retention;

    StoreChecks(List<Long> numbers, RetentionLog retention) {
        this.numbers = numbers;
        this.retention = retention;
    }

    /** Committed lengths from each start record (for the segment before it) and from the checkpoint. */
    void committedLengths(Checkpoint checkpoint) {
        for (int i = 0; i + 1 < numbers.size(); i++) {
            long k = numbers.get(i);
            long next = numbers.get(i + 1);
            Start start = starts.get(next);
            if (start == null || start.record().getPreviousSegment() != k) {
                continue;
            }
            if (start.record().getPreviousLength() < MAGIC_BYTES) {
                finding(
                        Kind.BAD_START_RECORD,
                        next,
                        0,
                        0,
                        "segment " + StoreFinding.segmentName(next) + "'s start record"
                                + " gives segment " + StoreFinding.segmentName(k) + " a committed length of "
                                + Long.toUnsignedString(start.record().getPreviousLength())
                                + " bytes, less than its magic");
                continue;
            }
            committed.put(
                    k,
                    new Committed(
                            start.record().getPreviousLength(),
                            start.record().getPreviousRecords(),
                            "segment " + StoreFinding.segmentName(next) + "'s start record"));
        }
        if (checkpoint == null) {
            return;
        }
        long c = checkpoint.segment();
        if (checkpoint.length() < MAGIC_BYTES) {
            finding(
                    Kind.DAMAGED_CHECKPOINT,
                    0,
                    0,
                    0,
                    "the checkpoint gives segment " + StoreFinding.segmentName(c) + " a committed length of "
                            + Long.toUnsignedString(checkpoint.length()) + " bytes, less than its magic");
            return;
        }
        if (numbers.contains(c)) {
            Committed bySuccessor = committed.get(c);
            if (bySuccessor == null) {
                committed.put(c, new Committed(checkpoint.length(), checkpoint.records(), "the checkpoint"));
            } else if (bySuccessor.length() != checkpoint.length() || bySuccessor.records() != checkpoint.records()) {
                finding(
                        Kind.DAMAGED_CHECKPOINT,
                        0,
                        0,
                        0,
                        "the checkpoint gives segment " + StoreFinding.segmentName(c)
                                + " " + checkpoint.length() + " bytes and " + checkpoint.records() + " records, "
                                + bySuccessor.source()
                                + " " + bySuccessor.length() + " bytes and " + bySuccessor.records() + " records");
            }
        }
        Start above = starts.get(c + 1);
        if (above != null && !committed.containsKey(c + 1)) {
            committed.put(
                    c + 1,
                    new Committed(
                            MAGIC_BYTES + above.framedLength(),
                            1,
                            "the checkpoint, which names the segment before it"));
        }
    }

    /** Gaps in the segment numbers and, in a v2 store, what the first segment's start record says came before it. */
    void checkNumbering() {
        if (numbers.isEmpty()) {
            return;
        }
        long lowest = numbers.get(0);
        Start first = starts.get(lowest);
        if (first == null) {
            if (lowest > 1) {
                missing(1, lowest - 1, "");
            }
        } else {
            long previous = first.record().getPreviousSegment();
            if (previous != 0 && Long.compareUnsigned(previous, lowest) >= 0) {
                finding(
                        Kind.BAD_START_RECORD,
                        lowest,
                        0,
                        0,
                        "segment " + StoreFinding.segmentName(lowest) + "'s start record names segment "
                                + Long.toUnsignedString(previous) + " before it");
            } else if (previous != 0) {
                missing(1, previous, "");
            }
        }
        for (int i = 0; i + 1 < numbers.size(); i++) {
            if (numbers.get(i + 1) > numbers.get(i) + 1) {
                missing(numbers.get(i) + 1, numbers.get(i + 1) - 1, "");
            }
        }
    }

    /**
     * Each segment from the first that has a start record (or whose start record is unreadable, being in a damaged
     * range) on must begin with one naming the segment before it; segments below it are v1 segments of an upgraded
     * store.
     */
    void checkStartRecords(Map<Long, SegmentScan> scans) {
        Predicate<Long> unreadable = k -> !starts.containsKey(k)
                && scans.get(k) != null
                && scans.get(k).damaged.stream().anyMatch(d -> d.start() <= MAGIC_BYTES);
        Long first = numbers.stream()
                .filter(k -> starts.containsKey(k) || unreadable.test(k))
                .findFirst()
                .orElse(null);
        if (first == null) {
            if (!numbers.isEmpty()) {
                finding(Kind.BAD_START_RECORD, numbers.get(0), 0, 0, "no segment begins with a start record");
            }
            return;
        }
        List<Long> older = numbers.stream().filter(k -> k < first).toList();
        if (!older.isEmpty()) {
            notes.add(range(older.get(0), older.get(older.size() - 1))
                    + " written by a v1 uplink before the upgrade: start"
                    + " records and the checkpoint are checked from segment " + StoreFinding.segmentName(first)
                    + " on");
        }
        for (int i = numbers.indexOf(first); i < numbers.size(); i++) {
            long k = numbers.get(i);
            String name = StoreFinding.segmentName(k);
            String previous = i == 0 ? null : StoreFinding.segmentName(numbers.get(i - 1));
            if (unreadable.test(k)) {
                notes.add("segment " + name + " begins with a damaged range: its start record cannot be read"
                        + (previous == null
                                ? ""
                                : ", so segment " + previous + "'s committed length cannot be checked"));
                continue;
            }
            Start start = starts.get(k);
            if (start == null) {
                finding(Kind.BAD_START_RECORD, k, 0, 0, "segment " + name + " does not begin with a start record");
                continue;
            }
            if (previous == null) {
                continue; // what the lowest segment's start record says came before it is checked with the numbering
            }
            long p = start.record().getPreviousSegment();
            long q = numbers.get(i - 1);
            if (p == 0) {
                finding(
                        Kind.BAD_START_RECORD,
                        k,
                        0,
                        0,
                        "segment " + name + "'s start record says it is the first segment," + " but segment " + previous
                                + " comes before it");
            } else if (p != q && !(p > q && p < k)) {
                finding(
                        Kind.BAD_START_RECORD,
                        k,
                        0,
                        0,
                        "segment " + name + "'s start record names segment " + Long.toUnsignedString(p)
                                + " before it, but segment " + previous + " comes before it");
            }
        }
    }

    /** The checkpoint must name the newest segment, or the one before it while the newest holds only its start. */
    void checkCheckpoint(Checkpoint.Read read, long newest, boolean clipRecords) {
        Checkpoint c = read.checkpoint();
        if (c == null) {
            // A store created just before a crash has segments holding only their start records and no checkpoint yet.
            if (clipRecords || numbers.size() > 1) {
                finding(Kind.DAMAGED_CHECKPOINT, 0, 0, 0, read.problem());
            }
            return;
        }
        String names = "checkpoint names segment " + StoreFinding.segmentName(c.segment());
        if (numbers.isEmpty()) {
            if (c.segment() >= 1) {
                missing(1, c.segment(), " (" + names + ")");
            }
        } else if (c.segment() > newest) {
            findings.add(new StoreFinding(
                    Kind.MISSING_SEGMENTS,
                    newest + 1,
                    newest + 1,
                    c.segment(),
                    "segments after " + StoreFinding.segmentName(newest) + " are missing (" + names + ")"));
            holes.add(new Hole(
                    newest + 1, 0, "missing segments after " + StoreFinding.segmentName(newest) + " (" + names + ")"));
        } else if (c.segment() < newest - 1) {
            finding(
                    Kind.DAMAGED_CHECKPOINT,
                    0,
                    0,
                    0,
                    "the " + names + ", but segments up to " + StoreFinding.segmentName(newest) + " exist");
        }
    }

    /** Each segment with a committed length must hold it: fewer bytes is a store shorter than what was acknowledged. */
    void checkCommitted(Map<Long, SegmentScan> scans) {
        for (long k : numbers) {
            Committed c = committed.get(k);
            SegmentScan scan = scans.get(k);
            if (c == null || scan == null) {
                continue;
            }
            String name = StoreFinding.segmentName(k);
            if (scan.size() < c.length()) {
                findings.add(new StoreFinding(
                        Kind.SHORTER_THAN_COMMITTED,
                        k,
                        scan.size(),
                        c.length(),
                        "segment " + name
                                + " is shorter than committed: " + scan.size() + " of " + c.length() + " bytes, "
                                + scan.committedRecords + " of " + c.records() + " records"));
                holes.add(new Hole(
                        k,
                        scan.size(),
                        "segment " + name + " bytes " + scan.size() + ".." + c.length() + " (shorter than committed)"));
            } else if (!scan.damageBeforeCommitted && scan.committedRecords != c.records()) {
                finding(
                        c.source().equals("the checkpoint") ? Kind.DAMAGED_CHECKPOINT : Kind.BAD_START_RECORD,
                        k,
                        0,
                        0,
                        "segment " + name + " holds " + scan.committedRecords + " records up to offset " + c.length()
                                + ", " + c.source() + " says " + c.records());
            }
        }
    }

    /** Segments retention removed are not missing: only the runs between them are. */
    private void missing(long first, long last, String why) {
        long from = first;
        for (long k = first; k <= last && k - first < 1_000_000; k++) {
            if (retention.removed(k)) {
                if (k > from) {
                    missingRun(from, k - 1, why);
                }
                from = k + 1;
            }
        }
        if (from <= last) {
            missingRun(from, last, why);
        }
    }

    private void missingRun(long first, long last, String why) {
        findings.add(new StoreFinding(
                Kind.MISSING_SEGMENTS,
                first,
                first,
                last,
                (first == last
                                ? "segment " + StoreFinding.segmentName(first) + " is missing"
                                : "segments " + StoreFinding.segmentName(first) + ".." + StoreFinding.segmentName(last)
                                        + " are missing")
                        + why));
        holes.add(new Hole(
                first,
                0,
                "missing "
                        + (first == last
                                ? "segment " + StoreFinding.segmentName(first)
                                : "segments " + StoreFinding.segmentName(first) + ".."
                                        + StoreFinding.segmentName(last))));
    }

    private void finding(Kind kind, long segment, long start, long end, String message) {
        findings.add(new StoreFinding(kind, segment, start, end, message));
    }

    private static String range(long first, long last) {
        return first == last
                ? "segment " + StoreFinding.segmentName(first) + " was"
                : "segments " + StoreFinding.segmentName(first) + ".." + StoreFinding.segmentName(last) + " were";
    }
}
