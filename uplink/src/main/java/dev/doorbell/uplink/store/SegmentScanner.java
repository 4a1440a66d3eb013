package dev.doorbell.uplink.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.proto.v1.StoredSegmentStart;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the records of one segment in order by the rules of docs/FORMAT.md §6 ("Reading a store"), the same rules
 * as the owner's readers: a bad record does not end the reading; it resynchronises at the next offset where a valid
 * record starts, and the bytes in between are a damaged range. Below the segment's committed length every bad record
 * is damage of acknowledged data; past it, records were never acknowledged, and the tail after the last of them is
 * zero padding or a torn write.
 */
final class SegmentScanner {
    private static final int WINDOW = 1 << 20;

    interface Visitor {
        void record(long offset, int recordLength, StoredRecord record) throws IOException;

        /** Called in log order, between the records around the range. */
        default void damaged(DamagedRange range) throws IOException {}
    }

    /** A range of a segment that holds no valid record, starting at a bad record. */
    record DamagedRange(long segment, long start, long end, String reason) {
        long bytes() {
            return end - start;
        }

        String where() {
            return "segment " + SegmentFormat.segmentName(segment) + " offset " + start + " to " + end + " (" + bytes()
                    + " bytes)";
        }
    }

    /**
     * The end of the newest segment past its last valid record, never acknowledged: the zero padding of direct writes,
     * or a torn write (in a segment with a committed length, any bad tail past it).
     */
    record Tail(long start, long end, boolean padding, String reason, boolean validRecordsInside) {
        long bytes() {
            return end - start;
        }
    }

    /**
     * The outcome of a scan. {@code validEnd} is the offset just past the last valid record (8 when none, 0 when the
     * magic is bad and nothing follows); {@code records} counts valid records, the start record included; {@code
     * committedRecords} those below the committed length (all of them when it is not known), {@code unacknowledged}
     * those past it. {@code tail} is null when the segment has none.
     */
    record Result(
            long number,
            long size,
            StoredSegmentStart start,
            long validEnd,
            long records,
            long committedRecords,
            long unacknowledged,
            List<DamagedRange> damaged,
            Tail tail) {
        /** Damaged bytes below {@code length}. */
        boolean damagedBelow(long length) {
            return damaged.stream().anyMatch(r -> r.start() < length);
        }

        /** Whether a damaged range covers offset 8, where the start record is. */
        boolean startDamaged() {
            return damaged.stream()
                    .anyMatch(r -> r.start() <= SegmentFormat.MAGIC.length && r.end() > SegmentFormat.MAGIC.length);
        }
    }

    /** One record tried at an offset: the parsed record, or why it is not one. */
    private record Attempt(StoredRecord record, int length, String problem) {}

    private final FileChannel channel;
    private final long number;
    private final long size;
    private final Visitor visitor;
    private final List<DamagedRange> damaged = new ArrayList<>();
    private StoredSegmentStart start;
    private long validEnd = SegmentFormat.MAGIC.length;
    private long records;
    private long committedRecords;
    private long unacknowledged;
    private Tail tail;

    private SegmentScanner(FileChannel channel, long number, Visitor visitor) throws IOException {
        this.channel = channel;
        this.number = number;
        this.size = channel.size();
        this.visitor = visitor;
    }

    /**
     * Scans segment {@code number} in {@code file}.
     *
     * @param newest whether no segment follows it: only the newest segment may end in zero padding or a torn tail
     * @param committed its committed length (from the next segment's start record or the checkpoint), or -1
     * @param stopAtCommitted read nothing past the committed length (the newest segment of a live store)
     */
    static Result scan(Path file, long number, boolean newest, long committed, boolean stopAtCommitted, Visitor visitor)
            throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new SegmentScanner(channel, number, visitor).scan(newest, committed, stopAtCommitted);
        }
    }

    /** A segment's start record and its framed length. */
    record Start(StoredSegmentStart record, int framedLength) {
        /** Where the records after the start record begin. */
        long end() {
            return (long) SegmentFormat.MAGIC.length + framedLength;
        }
    }

    /** The valid start record at offset 8 of segment {@code number} in {@code file}, or null when there is none. */
    static Start readStart(Path file, long number) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            SegmentScanner scanner = new SegmentScanner(channel, number, null);
            if (scanner.size < SegmentFormat.MAGIC.length) {
                return null;
            }
            Attempt first = scanner.attempt(SegmentFormat.MAGIC.length, scanner.size);
            return first.record() != null && first.record().hasSegmentStart()
                    ? new Start(first.record().getSegmentStart(), first.length())
                    : null;
        }
    }

    private Result scan(boolean newest, long committed, boolean stopAtCommitted) throws IOException {
        if (size < SegmentFormat.MAGIC.length) {
            if (size > 0) {
                damage(0, size, "segment shorter than its 8-byte magic");
            }
            return result(0);
        }
        if (!Arrays.equals(read(channel, 0, SegmentFormat.MAGIC.length), SegmentFormat.MAGIC)) {
            damage(0, SegmentFormat.MAGIC.length, "bad segment magic, expected DBSTORE1");
        }
        if (committed >= SegmentFormat.MAGIC.length) {
            long bound = Math.min(committed, size);
            readWithin(bound, true);
            if (!stopAtCommitted && size > committed) {
                readPast(committed, newest);
            }
        } else {
            readWhole(newest);
        }
        return result(validEnd);
    }

    /** Below the committed length: every bad record is damage; resynchronise within the bound. */
    private void readWithin(long bound, boolean committedPart) throws IOException {
        long offset = SegmentFormat.MAGIC.length;
        while (offset < bound) {
            Attempt attempt = attempt(offset, bound);
            if (attempt.record() != null) {
                accept(offset, attempt, committedPart);
                offset += attempt.length();
                continue;
            }
            long next = validRecordFrom(offset + 1, bound);
            long end = next < 0 ? bound : next;
            damage(offset, end, attempt.problem());
            offset = end;
        }
    }

    /** Past the committed length: records never acknowledged, then a tail. */
    private void readPast(long committed, boolean newest) throws IOException {
        long offset = committed;
        while (offset < size) {
            Attempt attempt = attempt(offset, size);
            if (attempt.record() == null) {
                endWith(offset, newest, attempt.problem(), true);
                return;
            }
            accept(offset, attempt, false);
            offset += attempt.length();
        }
    }

    /** Without a committed length: resynchronise within the file; the newest segment may end in a torn tail. */
    private void readWhole(boolean newest) throws IOException {
        long offset = SegmentFormat.MAGIC.length;
        while (offset < size) {
            Attempt attempt = attempt(offset, size);
            if (attempt.record() != null) {
                accept(offset, attempt, true);
                offset += attempt.length();
                continue;
            }
            if (zeros(offset, size)) {
                endWith(offset, newest, attempt.problem(), false);
                return;
            }
            long next = validRecordFrom(offset + 1, size);
            if (next < 0) {
                if (newest) {
                    tail = new Tail(offset, size, false, attempt.problem(), false);
                } else {
                    damage(offset, size, attempt.problem());
                }
                return;
            }
            damage(offset, next, attempt.problem());
            offset = next;
        }
    }

    /**
     * The segment ends at a bad record at {@code offset}: zeros to the end are padding in the newest segment when
     * fewer than 65,536, else a damaged range; anything else past a committed length is a torn tail.
     */
    private void endWith(long offset, boolean newest, String problem, boolean pastCommitted) throws IOException {
        if (zeros(offset, size)) {
            if (newest && size - offset <= SegmentFormat.MAX_PADDING_BYTES) {
                tail = new Tail(offset, size, true, "zero padding of direct writes", false);
            } else {
                damage(offset, size, problem);
            }
        } else if (pastCommitted) {
            tail = new Tail(offset, size, false, problem, validRecordFrom(offset + 1, size) >= 0);
        } else {
            damage(offset, size, problem);
        }
    }

    private void accept(long offset, Attempt attempt, boolean committedPart) throws IOException {
        if (attempt.record().hasSegmentStart()) {
            start = attempt.record().getSegmentStart();
        }
        visitor.record(offset, attempt.length(), attempt.record());
        records++;
        if (committedPart) {
            committedRecords++;
        } else {
            unacknowledged++;
        }
        validEnd = offset + attempt.length();
    }

    private void damage(long from, long to, String problem) throws IOException {
        String reason = zeros(from, to) ? (to - from) + " zero bytes" : problem;
        DamagedRange range = new DamagedRange(number, from, to, reason);
        damaged.add(range);
        visitor.damaged(range);
    }

    private Result result(long end) {
        return new Result(
                number, size, start, end, records, committedRecords, unacknowledged, List.copyOf(damaged), tail);
    }

    /**
     * The record at {@code offset} if it is valid within {@code bound}, else why not; the tests and their order are
     * those of docs/FORMAT.md §6 ("A valid record").
     */
    private Attempt attempt(long offset, long bound) throws IOException {
        if (bound - offset < SegmentFormat.RECORD_HEADER_BYTES) {
            return bad("record header cut short: " + Math.max(0, bound - offset) + " of 8 bytes");
        }
        ByteBuffer head = ByteBuffer.wrap(read(channel, offset, SegmentFormat.RECORD_HEADER_BYTES));
        long length = head.getInt(0) & 0xffffffffL;
        if (!SegmentFormat.saneLength(length)) {
            return bad("bad record length " + length);
        }
        if (offset + SegmentFormat.RECORD_HEADER_BYTES + length > bound) {
            return bad("record of " + length + " bytes runs past "
                    + (bound < size
                            ? "the committed length (" + bound + ")"
                            : "the end of the segment (" + size + " bytes)"));
        }
        byte[] body = read(channel, offset + SegmentFormat.RECORD_HEADER_BYTES, (int) length);
        if (SegmentFormat.crc32c(body, 0, body.length) != head.getInt(4)) {
            return bad("CRC32C mismatch in a record of " + length + " bytes");
        }
        StoredRecord record = parse(body);
        if (record == null) {
            return bad("a record of " + length
                    + " bytes whose CRC32C matches but whose body is not a StoredRecord with " + "a body");
        }
        if (!oneField(body, length)) {
            return bad("a record of " + length + " bytes whose body is not exactly one field");
        }
        String wrong = switch (record.getBodyCase()) {
            case CLIP_OPEN -> validDevice(record.getClipOpen().getDeviceId());
            case FRAME -> validDevice(record.getFrame().getDeviceId());
            case CLIP_CLOSE -> validDevice(record.getClipClose().getDeviceId());
            case SEGMENT_START ->
                offset != SegmentFormat.MAGIC.length
                        ? "a start record that is not the first record of its segment"
                        : record.getSegmentStart().getSegment() != number
                                ? "a start record naming segment "
                                        + Long.toUnsignedString(
                                                record.getSegmentStart().getSegment())
                                : null;
            default -> "a record without a body";
        };
        return wrong != null
                ? bad(wrong)
                : new Attempt(record, (int) (SegmentFormat.RECORD_HEADER_BYTES + length), null);
    }

    private static String validDevice(String deviceId) {
        return DeviceIds.isValid(deviceId)
                ? null
                : "a record with an invalid device id (" + deviceId.length() + " characters)";
    }

    private static Attempt bad(String problem) {
        return new Attempt(null, 0, problem);
    }

    private static StoredRecord parse(byte[] body) {
        try {
            StoredRecord record = StoredRecord.parseFrom(body);
            return record.getBodyCase() == StoredRecord.BodyCase.BODY_NOT_SET ? null : record;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    /**
     * The first offset in [from, bound) at which a record valid within {@code bound} starts, or -1. To stay fast on
     * garbage it reads a candidate's body only when the body starts like one field spanning exactly the body.
     */
    private long validRecordFrom(long from, long bound) throws IOException {
        long base = from;
        while (base + SegmentFormat.RECORD_HEADER_BYTES <= bound) {
            int n = (int) Math.min(WINDOW, bound - base);
            byte[] window = read(channel, base, n);
            ByteBuffer view = ByteBuffer.wrap(window);
            for (int i = 0; i + SegmentFormat.RECORD_HEADER_BYTES <= n; i++) {
                long length = view.getInt(i) & 0xffffffffL;
                long at = base + i;
                if (!SegmentFormat.saneLength(length) || at + SegmentFormat.RECORD_HEADER_BYTES + length > bound) {
                    continue;
                }
                byte[] prefix = read(channel, at + SegmentFormat.RECORD_HEADER_BYTES, (int) Math.min(length, 6));
                if (oneField(prefix, length) && attempt(at, bound).record() != null) {
                    return at;
                }
            }
            base += n - SegmentFormat.RECORD_HEADER_BYTES + 1;
        }
        return -1;
    }

    /**
     * Whether a body of {@code length} bytes, starting with {@code prefix}, is one length-delimited field 1 to 4 that
     * spans it exactly: how the uplink writes every record.
     */
    private static boolean oneField(byte[] prefix, long length) {
        int tag = prefix[0] & 0xff;
        if (tag != 0x0a && tag != 0x12 && tag != 0x1a && tag != 0x22) {
            return false;
        }
        long inner = 0;
        for (int i = 1, shift = 0; i < Math.min(prefix.length, 11); i++, shift += 7) {
            inner |= (long) (prefix[i] & 0x7f) << shift;
            if ((prefix[i] & 0x80) == 0) {
                return 1 + i + inner == length;
            }
        }
        return false;
    }

    private boolean zeros(long from, long to) throws IOException {
        for (long at = from; at < to; at += WINDOW) {
            byte[] chunk = read(channel, at, (int) Math.min(WINDOW, to - at));
            for (byte b : chunk) {
                if (b != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    static byte[] read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException(
                        "end of file at " + (position + buffer.position()) + " reading " + length + " bytes");
            }
        }
        return buffer.array();
    }
}
