package dev.doorbell.uplink.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** The byte layout of segment files, docs/FORMAT.md §6: names, the magic, and the record frame. */
final class SegmentFormat {
  static final String MARKER_FILE = "doorbell-store";
  static final String MARKER_LINE = "doorbell-store v1";
  static final String SEGMENTS_DIR = "segments";
  static final String SUFFIX = ".seg";
  static final String TEMP_SUFFIX = ".seg.tmp";

  static final byte[] MAGIC = "DBSTORE1".getBytes(StandardCharsets.US_ASCII);
  /** u32be length then u32be CRC32C of the body. */
  static final int RECORD_HEADER_BYTES = 8;
  static final int MAX_BODY_BYTES = 64 << 20;

  private SegmentFormat() {}

  static String segmentName(long number) {
    return String.format("%010d%s", number, SUFFIX);
  }

  /** The number of a segment file name, or -1 when the name is not one of a segment. */
  static long segmentNumber(String fileName) {
    if (fileName.length() != 10 + SUFFIX.length() || !fileName.endsWith(SUFFIX)) {
      return -1;
    }
    for (int i = 0; i < 10; i++) {
      if (fileName.charAt(i) < '0' || fileName.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(fileName.substring(0, 10));
  }

  static int crc32c(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  /** The 8-byte frame that precedes {@code body} on disk. */
  static ByteBuffer recordHeader(byte[] body) {
    if (body.length < 1 || body.length > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("record body of " + body.length + " bytes is outside 1.." + MAX_BODY_BYTES);
    }
    ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES);
    header.putInt(body.length).putInt(crc32c(body, 0, body.length)).flip();
    return header;
  }

  static boolean saneLength(long length) {
    return length >= 1 && length <= MAX_BODY_BYTES;
  }
}
