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
 * Reads the records of one segment in order, checking length, CRC32C and body (docs/FORMAT.md §6), and does not
 * stop at a bad record: it resynchronises at the next offset where a valid record starts, and reports the bytes in
 * between as a damaged range. Where the segment's committed length is known, a bad record at or past it starts a
 * tail that was never acknowledged (zero padding or a torn write), not damage.
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

  /** The end of a segment past its last valid record that was never acknowledged. */
  record Tail(long start, long end, boolean padding, String reason, boolean validRecordsInside) {
    long bytes() {
      return end - start;
    }
  }

  /**
   * The outcome of a scan. {@code validEnd} is the offset just past the last valid record (0 when not even the
   * magic is valid); {@code records} counts valid records, the start record included. {@code committedEnd} and
   * {@code committedRecords} count only records that end at or before the committed length (all of them when it
   * is not known). {@code tail} is null when the segment has none.
   */
  record Result(long number, long size, StoredSegmentStart start, long validEnd, long records, long committedEnd,
                long committedRecords, List<DamagedRange> damaged, Tail tail) {
    boolean clean() {
      return damaged.isEmpty() && tail == null;
    }

    /** Damaged bytes below {@code length}. */
    boolean damagedBelow(long length) {
      return damaged.stream().anyMatch(r -> r.start() < length);
    }
  }

  /** One record tried at an offset: the parsed record, or why it is not one. */
  private record Attempt(StoredRecord record, int length, String problem) {}

  private final FileChannel channel;
  private final long number;
  private final long size;

  private SegmentScanner(FileChannel channel, long number, long size) {
    this.channel = channel;
    this.number = number;
    this.size = size;
  }

  /**
   * Scans segment {@code number} in {@code file}.
   *
   * @param newest whether no segment follows it: only the newest segment may end in zero padding
   * @param committed its committed length (from the checkpoint or the next segment's start record), or -1
   * @param limit nothing at or past this offset is read (a live store's checkpoint length), else Long.MAX_VALUE
   */
  static Result scan(Path file, long number, boolean newest, long committed, long limit, Visitor visitor)
      throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = Math.min(channel.size(), limit);
      return new SegmentScanner(channel, number, size).scan(newest, committed, visitor);
    }
  }

  /** A segment's start record and its framed length. */
  record Start(StoredSegmentStart record, int framedLength) {
    /** Where the records after the start record begin. */
    long end() {
      return SegmentFormat.MAGIC.length + framedLength;
    }
  }

  /** The start record of the segment in {@code file}, or null when its first record is not a valid one. */
  static Start readStart(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      SegmentScanner scanner = new SegmentScanner(channel, 0, channel.size());
      if (!scanner.magicValid()) {
        return null;
      }
      Attempt first = scanner.attempt(SegmentFormat.MAGIC.length, true);
      return first.record() != null && first.record().hasSegmentStart()
          ? new Start(first.record().getSegmentStart(), first.length()) : null;
    }
  }

  private Result scan(boolean newest, long committed, Visitor visitor) throws IOException {
    List<DamagedRange> damaged = new ArrayList<>();
    if (!magicValid()) {
      DamagedRange all = new DamagedRange(number, 0, size, size < SegmentFormat.MAGIC.length
          ? "segment shorter than its 8-byte magic" : "bad segment magic, expected DBSTORE1");
      if (size > 0) {
        damaged.add(all);
        visitor.damaged(all);
      }
      return new Result(number, size, null, 0, 0, 0, 0, damaged, null);
    }
    StoredSegmentStart start = null;
    long records = 0;
    long validEnd = SegmentFormat.MAGIC.length;
    long committedRecords = 0;
    long committedEnd = validEnd;
    Tail tail = null;
    long offset = SegmentFormat.MAGIC.length;
    while (offset < size) {
      Attempt attempt = attempt(offset, offset == SegmentFormat.MAGIC.length);
      if (attempt.record() != null) {
        long end = offset + attempt.length();
        if (offset == SegmentFormat.MAGIC.length && attempt.record().hasSegmentStart()) {
          start = attempt.record().getSegmentStart();
        }
        visitor.record(offset, attempt.length(), attempt.record());
        records++;
        validEnd = end;
        if (committed < 0 || end <= committed) {
          committedRecords++;
          committedEnd = end;
        }
        offset = end;
        continue;
      }
      if (committed >= 0 ? offset >= committed : newest && validRecordFrom(offset + 1, size) < 0) {
        tail = tail(offset, newest, attempt.problem(), committed >= 0);
        break;
      }
      long searchEnd = committed >= 0 && offset < committed ? Math.min(committed, size) : size;
      long next = validRecordFrom(offset + 1, searchEnd);
      DamagedRange range = new DamagedRange(number, offset, next < 0 ? searchEnd : next, attempt.problem());
      damaged.add(range);
      visitor.damaged(range);
      offset = range.end();
    }
    return new Result(number, size, start, validEnd, records, committedEnd, committedRecords, List.copyOf(damaged),
        tail);
  }

  private Tail tail(long offset, boolean newest, String problem, boolean committedKnown) throws IOException {
    long bytes = size - offset;
    if (newest && bytes <= SegmentFormat.MAX_PADDING_BYTES && zeros(offset, size)) {
      return new Tail(offset, size, true, "zero padding of direct writes", false);
    }
    boolean validInside = committedKnown && validRecordFrom(offset + 1, size) >= 0;
    String why = bytes > SegmentFormat.MAX_PADDING_BYTES && zeros(offset, size)
        ? "a run of " + bytes + " zero bytes, longer than padding can be" : problem;
    return new Tail(offset, size, false, why, validInside);
  }

  private boolean magicValid() throws IOException {
    return size >= SegmentFormat.MAGIC.length
        && Arrays.equals(read(channel, 0, SegmentFormat.MAGIC.length), SegmentFormat.MAGIC);
  }

  /**
   * The record at {@code offset}, or why there is none. A start record is valid only first in its segment: anywhere
   * else it is a bad record, as is a body with no body case set.
   */
  private Attempt attempt(long offset, boolean first) throws IOException {
    if (size - offset < SegmentFormat.RECORD_HEADER_BYTES) {
      return bad("record header cut short: " + (size - offset) + " of 8 bytes");
    }
    ByteBuffer head = ByteBuffer.wrap(read(channel, offset, SegmentFormat.RECORD_HEADER_BYTES));
    long length = head.getInt(0) & 0xffffffffL;
    if (!SegmentFormat.saneLength(length)) {
      return bad("bad record length " + length);
    }
    if (offset + SegmentFormat.RECORD_HEADER_BYTES + length > size) {
      return bad("record of " + length + " bytes runs past the end of the segment (" + size + " bytes)");
    }
    byte[] body = read(channel, offset + SegmentFormat.RECORD_HEADER_BYTES, (int) length);
    if (SegmentFormat.crc32c(body, 0, body.length) != head.getInt(4)) {
      return bad("CRC32C mismatch in a record of " + length + " bytes");
    }
    StoredRecord record = parse(body);
    if (record == null) {
      return bad("a record of " + length + " bytes whose CRC32C matches but whose body is not a StoredRecord with "
          + "a body");
    }
    if (record.hasSegmentStart() && !first) {
      return bad("a start record that is not the first record of its segment");
    }
    return new Attempt(record, (int) (SegmentFormat.RECORD_HEADER_BYTES + length), null);
  }

  private static Attempt bad(String problem) {
    return new Attempt(null, 0, problem);
  }

  static StoredRecord parse(byte[] body) {
    try {
      StoredRecord record = StoredRecord.parseFrom(body);
      return record.getBodyCase() == StoredRecord.BodyCase.BODY_NOT_SET ? null : record;
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /**
   * The first offset in [from, before) at which a valid record starts (sane length, inside the segment, CRC32C,
   * a body with a body case, a valid device id in a clip record, and not a start record), or -1. To stay fast on
   * garbage it reads a candidate's body only when the body starts like a StoredRecord whose one field spans
   * exactly the body.
   */
  private long validRecordFrom(long from, long before) throws IOException {
    long base = from;
    while (base < before && base + SegmentFormat.RECORD_HEADER_BYTES < size) {
      int n = (int) Math.min(WINDOW, size - base);
      byte[] window = read(channel, base, n);
      ByteBuffer view = ByteBuffer.wrap(window);
      for (int i = 0; i + SegmentFormat.RECORD_HEADER_BYTES < n && base + i < before; i++) {
        long length = view.getInt(i) & 0xffffffffL;
        long start = base + i;
        if (!SegmentFormat.saneLength(length) || start + SegmentFormat.RECORD_HEADER_BYTES + length > size) {
          continue;
        }
        byte[] prefix = read(channel, start + SegmentFormat.RECORD_HEADER_BYTES, (int) Math.min(length, 6));
        if (!plausibleBody(prefix, length)) {
          continue;
        }
        byte[] body = read(channel, start + SegmentFormat.RECORD_HEADER_BYTES, (int) length);
        if (SegmentFormat.crc32c(body, 0, body.length) == view.getInt(i + 4) && plausibleRecord(parse(body))) {
          return start;
        }
      }
      base += n - SegmentFormat.RECORD_HEADER_BYTES;
    }
    return -1;
  }

  private static boolean plausibleRecord(StoredRecord record) {
    if (record == null) {
      return false;
    }
    return switch (record.getBodyCase()) {
      case CLIP_OPEN -> DeviceIds.isValid(record.getClipOpen().getDeviceId());
      case FRAME -> DeviceIds.isValid(record.getFrame().getDeviceId());
      case CLIP_CLOSE -> DeviceIds.isValid(record.getClipClose().getDeviceId());
      default -> false;
    };
  }

  /** A StoredRecord body is one length-delimited field 1, 2 or 3: tag byte, varint length, that many bytes. */
  private static boolean plausibleBody(byte[] prefix, long length) {
    int tag = prefix[0] & 0xff;
    if (tag != 0x0a && tag != 0x12 && tag != 0x1a) {
      return false;
    }
    long inner = 0;
    for (int i = 1, shift = 0; i < prefix.length; i++, shift += 7) {
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
        throw new EOFException("end of file at " + (position + buffer.position()) + " reading " + length + " bytes");
      }
    }
    return buffer.array();
  }
}
