package dev.doorbell.device.owner;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.device.seal.StoredFrameBytes;
import dev.doorbell.proto.v1.StoredClipClose;
import dev.doorbell.proto.v1.StoredClipOpen;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Reads the uplink's directory store (docs/FORMAT.md §6) read-only, written from the format document alone: the
 * device side never links the uplink's code. Frames are returned exactly as stored and in stored order, so that
 * the opener, not the reader, judges order, gaps and duplicates.
 */
public final class StoreDirectoryReader {
  static final byte[] SEGMENT_MAGIC = "DBSTORE1".getBytes(StandardCharsets.US_ASCII);
  static final int MAX_RECORD_BYTES = 64 << 20;

  private StoreDirectoryReader() {}

  public static StoreSnapshot read(Path storeDir) throws IOException {
    Path segments = storeDir.resolve("segments");
    if (!Files.isDirectory(segments)) {
      throw new IOException("not a doorbell store (no segments/ directory): " + storeDir);
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(segments)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
    }
    Map<String, ClipBuilder> clips = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      readSegment(files.get(i), i == files.size() - 1, clips, warnings);
    }
    List<StoredClip> out = new ArrayList<>();
    for (ClipBuilder b : clips.values()) {
      out.add(b.build());
    }
    return new StoreSnapshot(storeDir, out, warnings);
  }

  private static void readSegment(Path file, boolean newest, Map<String, ClipBuilder> clips, List<String> warnings)
      throws IOException {
    ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file));
    if (all.remaining() < SEGMENT_MAGIC.length) {
      throw new IOException("segment " + file.getFileName() + " is shorter than its magic");
    }
    byte[] magic = new byte[SEGMENT_MAGIC.length];
    all.get(magic);
    if (!java.util.Arrays.equals(magic, SEGMENT_MAGIC)) {
      throw new IOException("segment " + file.getFileName() + " does not start with DBSTORE1");
    }
    while (all.hasRemaining()) {
      int offset = all.position();
      String bad = null;
      if (all.remaining() < 8) {
        bad = "a record prefix cut short";
      } else {
        int length = all.getInt(offset);
        int crc = all.getInt(offset + 4);
        if (length < 1 || length > MAX_RECORD_BYTES) {
          bad = "an impossible record length " + Integer.toUnsignedString(length);
        } else if (all.remaining() - 8 < length) {
          bad = "a record cut short (" + length + " bytes announced)";
        } else {
          CRC32C crc32c = new CRC32C();
          crc32c.update(all.slice(offset + 8, length));
          if ((int) crc32c.getValue() != crc) {
            bad = "a CRC32C mismatch";
          } else {
            byte[] body = new byte[length];
            all.get(offset + 8, body);
            all.position(offset + 8 + length);
            addRecord(parse(body, file, offset), clips, warnings);
          }
        }
      }
      if (bad != null) {
        String where = file.getFileName() + " at offset " + offset;
        if (newest && zerosToEnd(all, offset)) {
          // The zero padding of the uplink's direct writes: the segment is still open, or the uplink stopped hard.
          return;
        }
        if (newest && !validRecordAfter(all, offset + 1)) {
          // A torn tail was never acknowledged; the uplink cuts it when it next starts, and a reader ignores it.
          warnings.add("ignored an unacknowledged torn tail in " + where + " (" + bad + ")");
          return;
        }
        throw new IOException("store is corrupt: " + bad + " in " + where);
      }
    }
  }

  /** Whether a whole record with a matching CRC starts at any offset from {@code from} on (FORMAT.md §6). */
  private static boolean zerosToEnd(ByteBuffer all, int from) {
    for (int i = from; i < all.limit(); i++) {
      if (all.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean validRecordAfter(ByteBuffer all, int from) {
    for (int at = from; at + 8 <= all.limit(); at++) {
      int length = all.getInt(at);
      if (length < 1 || length > MAX_RECORD_BYTES || all.limit() - at - 8 < length) {
        continue;
      }
      CRC32C crc32c = new CRC32C();
      crc32c.update(all.slice(at + 8, length));
      if ((int) crc32c.getValue() == all.getInt(at + 4)) {
        return true;
      }
    }
    return false;
  }

  private static StoredRecord parse(byte[] body, Path file, int offset) throws IOException {
    try {
      return StoredRecord.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("unparsable record in " + file.getFileName() + " at offset " + offset, e);
    }
  }

  private static void addRecord(StoredRecord record, Map<String, ClipBuilder> clips, List<String> warnings) {
    switch (record.getBodyCase()) {
      case CLIP_OPEN -> {
        StoredClipOpen open = record.getClipOpen();
        ClipBuilder clip = clip(clips, open.getDeviceId(), open.getClipId());
        if (clip.header == null) {
          clip.header = open.getHeader().toByteArray();
        } else {
          warnings.add("clip " + clip.name() + " has a second header record (ignored)");
        }
      }
      case FRAME -> {
        StoredFrame f = record.getFrame();
        ClipBuilder clip = clip(clips, f.getDeviceId(), f.getClipId());
        clip.frames.add(
            new StoredFrameBytes(f.getSeq(), f.getLast(), f.getMeta().toByteArray(), f.getSealed().toByteArray()));
        clip.sealedBytes += f.getSealed().size();
      }
      case CLIP_CLOSE -> {
        StoredClipClose close = record.getClipClose();
        clip(clips, close.getDeviceId(), close.getClipId()).closed = true;
      }
      case SEGMENT_START -> {
        // A v2 segment's first record: it belongs to the log, not to a clip (docs/FORMAT.md §6).
      }
      default -> warnings.add("skipped a record of unknown kind " + record.getBodyCase());
    }
  }

  private static ClipBuilder clip(Map<String, ClipBuilder> clips, String deviceId, long clipId) {
    return clips.computeIfAbsent(deviceId + "/" + clipId, k -> new ClipBuilder(deviceId, clipId));
  }

  private static final class ClipBuilder {
    final String deviceId;
    final long clipId;
    final List<StoredFrameBytes> frames = new ArrayList<>();
    byte[] header;
    boolean closed;
    long sealedBytes;

    ClipBuilder(String deviceId, long clipId) {
      this.deviceId = deviceId;
      this.clipId = clipId;
    }

    String name() {
      return deviceId + "/" + String.format("%016x", clipId);
    }

    StoredClip build() {
      return new StoredClip(deviceId, clipId, header, frames, closed, sealedBytes);
    }
  }
}
