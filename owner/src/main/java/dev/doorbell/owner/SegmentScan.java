package dev.doorbell.owner;

import dev.doorbell.proto.v1.StoredRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one segment file with the reader rules of docs/FORMAT.md §6: records in file order; after a bad record, a
 * byte-by-byte search for the next valid one, the bytes between being a damaged range. With a committed length
 * (from the next segment's start record or the checkpoint) every bad record before it is damage; past it, records
 * are read as never acknowledged and a bad record there ends the segment as a torn tail. Without one (a v1 store),
 * a bad record of the newest segment with no valid record after it is a torn tail, as the uplink decides it.
 */
final class SegmentScan {
    /** Zero bytes at the end of the newest segment are the uplink's direct-I/O padding only below this many. */
    static final int PADDING_LIMIT = 65_536;

    /** A valid record and where it starts. */
    record Found(long offset, StoredRecord record) {}

    /** The committed length and record count of a segment, and where the reader learnt them. */
    record Committed(long length, long records, String source) {}

    /** How to read a segment. {@code liveNewest}: read only up to the committed length (an uplink is writing). */
    record Mode(Committed committed, boolean newest, boolean liveNewest, boolean tailNeverAcknowledged) {}

    private final String name;
    private final long number;
    private final ByteBuffer data;
    private final int size;
    private final Mode mode;
    final List<Found> records = new ArrayList<>();
    final List<StoreFinding> damaged = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    /** Valid records before the committed length (or the end of the file when there is none). */
    long committedRecords;

    boolean damageBeforeCommitted;

    private SegmentScan(long number, byte[] bytes, Mode mode) {
        this.name = StoreFinding.segmentName(number);
        this.number = number;
        this.data = ByteBuffer.wrap(bytes);
        this.size = bytes.length;
        this.mode = mode;
    }

    static SegmentScan scan(Path file, long number, Mode mode) throws IOException {
        SegmentScan scan = new SegmentScan(number, Files.readAllBytes(file), mode);
        scan.run();
        return scan;
    }

    long size() {
        return size;
    }

    private void run() {
        byte[] magic = StoreDirectoryReader.SEGMENT_MAGIC;
        if (size < magic.length) {
            damage(0, size, "a segment shorter than its 8-byte magic");
            return;
        }
        if (!Arrays.equals(data.array(), 0, magic.length, magic, 0, magic.length)) {
            damage(0, magic.length, "a bad segment magic, not DBSTORE1");
        }
        Committed committed = mode.committed();
        if (committed == null) {
            readWithoutCommittedLength();
            return;
        }
        int end = (int) Math.min(committed.length(), size);
        String endName = committed.length() <= size
                ? "the committed length " + committed.length()
                : "the end of the segment (" + size + " bytes)";
        int at = magic.length;
        while (at < end) {
            RecordCheck.Result r = RecordCheck.check(data, at, end, number, endName);
            if (r.valid()) {
                records.add(new Found(at, r.record()));
                committedRecords++;
                at += r.framedLength();
                continue;
            }
            int next = resync(at + 1, end, endName);
            damage(at, next < 0 ? end : next, r.problem());
            damageBeforeCommitted = true;
            at = next < 0 ? end : next;
        }
        if (size > committed.length() && !mode.liveNewest()) {
            readPastCommitted((int) committed.length());
        }
    }

    /** A v1 segment, or a v2 one whose committed length is unknown: the rules of the uplink's own recovery. */
    private void readWithoutCommittedLength() {
        String endName = "the end of the segment (" + size + " bytes)";
        int at = StoreDirectoryReader.SEGMENT_MAGIC.length;
        while (at < size) {
            RecordCheck.Result r = RecordCheck.check(data, at, size, number, endName);
            if (r.valid()) {
                records.add(new Found(at, r.record()));
                committedRecords++;
                at += r.framedLength();
                continue;
            }
            if (zerosToEnd(at)) {
                if (!mode.newest() || size - at >= PADDING_LIMIT) {
                    damage(at, size, r.problem());
                }
                return;
            }
            int next = resync(at + 1, size, endName);
            if (next < 0 && mode.newest()) {
                warnings.add("segment " + name + ": " + (size - at) + " bytes after offset " + at
                        + (mode.tailNeverAcknowledged()
                                ? " were never acknowledged (torn tail: " + r.problem() + ")"
                                : " are a torn tail (" + r.problem()
                                        + "); with no valid checkpoint, whether they were acknowledged"
                                        + " cannot be told"));
                return;
            }
            damage(at, next < 0 ? size : next, r.problem());
            at = next < 0 ? size : next;
        }
    }

    /** Bytes past the committed length: records written but never acknowledged, then at most a torn tail. */
    private void readPastCommitted(int from) {
        String endName = "the end of the segment (" + size + " bytes)";
        int at = from;
        int unacknowledged = 0;
        while (at < size) {
            RecordCheck.Result r = RecordCheck.check(data, at, size, number, endName);
            if (r.valid()) {
                records.add(new Found(at, r.record()));
                unacknowledged++;
                at += r.framedLength();
                continue;
            }
            if (zerosToEnd(at)) {
                if (!mode.newest() || size - at >= PADDING_LIMIT) {
                    damage(at, size, r.problem());
                }
            } else {
                warnings.add("segment " + name + ": " + (size - at) + " bytes after offset " + at
                        + " were never acknowledged (torn tail: " + r.problem() + ")");
            }
            break;
        }
        if (unacknowledged > 0) {
            warnings.add("segment " + name + ": " + unacknowledged + " records after offset " + from
                    + " were never acknowledged (past the committed length given by "
                    + mode.committed().source() + ")");
        }
    }

    /** The first offset in [from, end) where a valid record starts, or -1. */
    private int resync(int from, int end, String endName) {
        for (int at = from; at < end; at++) {
            if (RecordCheck.mayStartRecord(data, at, end)
                    && RecordCheck.check(data, at, end, number, endName).valid()) {
                return at;
            }
        }
        return -1;
    }

    private boolean zerosToEnd(int from) {
        for (int i = from; i < size; i++) {
            if (data.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private void damage(long start, long end, String problem) {
        boolean zeros = true;
        for (long i = start; i < end && zeros; i++) {
            zeros = data.get((int) i) == 0;
        }
        String reason = zeros ? (end - start) + " zero bytes" : problem;
        damaged.add(new StoreFinding(
                StoreFinding.Kind.DAMAGED_RANGE,
                number,
                start,
                end,
                "segment " + name + " offsets " + start + ".." + end + ", " + (end - start) + " bytes skipped ("
                        + reason + ")"));
    }
}
