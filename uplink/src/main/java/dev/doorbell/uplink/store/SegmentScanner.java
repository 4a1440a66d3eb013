package dev.doorbell.uplink.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.StoredRecord;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads the records of one segment in order, checking length and CRC32C, and stops at the first bad one. For a bad
 * length or CRC it also says whether any valid record follows: if none does, the bad record may be a torn write;
 * if one does, it is corruption.
 */
final class SegmentScanner {
  private static final int WINDOW = 1 << 20;

  interface Visitor {
    void record(long offset, int recordLength, StoredRecord record) throws IOException;
  }

  /**
   * The outcome of a scan. {@code validEnd} is the offset just past the last good record; {@code problem} is null
   * when the whole segment was good. {@code tearable} marks a bad length or CRC (what a torn write leaves).
   */
  record Result(long size, long validEnd, String problem, boolean tearable, boolean validRecordAfter) {
    boolean clean() {
      return problem == null;
    }
  }

  private SegmentScanner() {}

  static Result scan(Path file, Visitor visitor) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < SegmentFormat.MAGIC.length) {
        return new Result(size, 0, "segment shorter than its 8-byte magic", false, false);
      }
      if (!Arrays.equals(read(channel, 0, SegmentFormat.MAGIC.length), SegmentFormat.MAGIC)) {
        return new Result(size, 0, "bad segment magic, expected DBSTORE1", false, false);
      }
      long offset = SegmentFormat.MAGIC.length;
      while (offset < size) {
        String problem = null;
        StoredRecord record = null;
        long length = 0;
        if (size - offset < SegmentFormat.RECORD_HEADER_BYTES) {
          problem = "record header cut short: " + (size - offset) + " of 8 bytes";
        } else {
          ByteBuffer head = ByteBuffer.wrap(read(channel, offset, SegmentFormat.RECORD_HEADER_BYTES));
          length = head.getInt(0) & 0xffffffffL;
          if (!SegmentFormat.saneLength(length)) {
            problem = "bad record length " + length;
          } else if (offset + SegmentFormat.RECORD_HEADER_BYTES + length > size) {
            problem = "record of " + length + " bytes runs past the end of the segment (" + size + " bytes)";
          } else {
            byte[] body = read(channel, offset + SegmentFormat.RECORD_HEADER_BYTES, (int) length);
            if (SegmentFormat.crc32c(body, 0, body.length) != head.getInt(4)) {
              problem = "CRC32C mismatch in a record of " + length + " bytes";
            } else {
              record = parse(body);
              if (record == null) {
                return new Result(size, offset, "record body is not a StoredRecord", false, false);
              }
            }
          }
        }
        if (problem != null) {
          return new Result(size, offset, problem, true, validRecordAfter(channel, offset + 1, size));
        }
        int recordLength = (int) (SegmentFormat.RECORD_HEADER_BYTES + length);
        visitor.record(offset, recordLength, record);
        offset += recordLength;
      }
      return new Result(size, offset, null, false, false);
    }
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
   * Looks for a valid record starting anywhere in [from, size). To stay fast on garbage it reads a candidate's body
   * only when the body starts like a StoredRecord whose one field spans exactly the body.
   */
  private static boolean validRecordAfter(FileChannel channel, long from, long size) throws IOException {
    long base = from;
    while (base + SegmentFormat.RECORD_HEADER_BYTES < size) {
      int n = (int) Math.min(WINDOW, size - base);
      byte[] window = read(channel, base, n);
      ByteBuffer view = ByteBuffer.wrap(window);
      for (int i = 0; i + SegmentFormat.RECORD_HEADER_BYTES < n; i++) {
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
        if (SegmentFormat.crc32c(body, 0, body.length) == view.getInt(i + 4)) {
          return true;
        }
      }
      base += n - SegmentFormat.RECORD_HEADER_BYTES;
    }
    return false;
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
