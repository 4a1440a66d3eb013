package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening a store directory: creating it with its marker on first use, and rebuilding the index from the
 * segments, cutting a torn tail of the newest segment and refusing anything else that is bad.
 */
final class StoreRecovery {
  private static final Logger log = LoggerFactory.getLogger(StoreRecovery.class);

  /** What recovery found: the newest segment (0 when none) and the size of its valid part. */
  record Recovered(long newestSegment, long newestSize, int segments, long records) {}

  private StoreRecovery() {}

  /**
   * Makes {@code dir} a store, or checks that it is one. The marker is written and fsync'd first, then {@code
   * segments/} created and the root fsync'd, so that a crash in between leaves a store that the next open
   * completes. A non-empty directory without a marker is refused: the store never writes into a stranger's files.
   */
  static Path prepare(Path dir, DiskOps ops) throws IOException {
    Files.createDirectories(dir);
    Path marker = dir.resolve(SegmentFormat.MARKER_FILE);
    Path segments = dir.resolve(SegmentFormat.SEGMENTS_DIR);
    if (Files.exists(marker)) {
      String line = Files.readString(marker, StandardCharsets.US_ASCII).strip();
      if (!line.equals(SegmentFormat.MARKER_LINE)) {
        throw new IOException(dir + " is not a doorbell store v1: its marker reads '" + line + "'");
      }
    } else {
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IOException("refusing to create a store in " + dir + ": not empty and has no "
              + SegmentFormat.MARKER_FILE + " marker");
        }
      }
      try (FileChannel channel = FileChannel.open(marker, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        byte[] line = (SegmentFormat.MARKER_LINE + "\n").getBytes(StandardCharsets.US_ASCII);
        ops.write(channel, new ByteBuffer[] {ByteBuffer.wrap(line)});
        ops.force(channel);
      }
      log.info("store created in {}", dir);
    }
    if (!Files.isDirectory(segments)) {
      Files.createDirectory(segments);
    }
    ops.forceDirectory(dir);
    return segments;
  }

  static Recovered recover(Path segmentsDir, ClipIndex index, DiskOps ops) throws IOException {
    List<Long> numbers = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(segmentsDir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.endsWith(SegmentFormat.TEMP_SUFFIX)) {
          // A segment that was never renamed into place held only its magic and was never acknowledged.
          Files.delete(entry);
          log.info("store removed unfinished segment {}", name);
        } else if (SegmentFormat.segmentNumber(name) > 0) {
          numbers.add(SegmentFormat.segmentNumber(name));
        } else {
          log.warn("store ignores unexpected file {} in segments/", name);
        }
      }
    }
    Collections.sort(numbers);
    long[] records = {0};
    long newestSize = 0;
    for (int i = 0; i < numbers.size(); i++) {
      long number = numbers.get(i);
      String name = SegmentFormat.segmentName(number);
      boolean newest = i == numbers.size() - 1;
      SegmentScanner.Result result = SegmentScanner.scan(segmentsDir.resolve(name), (offset, length, record) -> {
        String problem = index.replay(record, number, offset, length);
        if (problem != null) {
          throw new StoreCorruptedException(name, offset, problem);
        }
        records[0]++;
      });
      if (!result.clean()) {
        if (!newest || !result.tearable() || result.validRecordAfter()) {
          String why = result.validRecordAfter() ? "; valid records follow it"
              : newest ? "" : "; newer segments follow this one";
          throw new StoreCorruptedException(name, result.validEnd(), result.problem() + why);
        }
        cutTornTail(segmentsDir.resolve(name), result, ops);
      }
      newestSize = result.validEnd();
    }
    long newest = numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1);
    return new Recovered(newest, newestSize, numbers.size(), records[0]);
  }

  private static void cutTornTail(Path segment, SegmentScanner.Result result, DiskOps ops) throws IOException {
    boolean padding;
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      padding = zeros(channel, result.validEnd(), result.size());
      channel.truncate(result.validEnd());
      ops.force(channel);
    }
    long bytes = result.size() - result.validEnd();
    if (padding) {
      log.info("store cut {} bytes of zero padding (direct writes of a store that stopped hard) from segment {} at "
          + "offset {}", bytes, segment.getFileName(), result.validEnd());
    } else {
      log.warn("store cut a torn tail of {} bytes from segment {} at offset {}: {}", bytes, segment.getFileName(),
          result.validEnd(), result.problem());
    }
  }

  private static boolean zeros(FileChannel channel, long from, long to) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
    for (long at = from; at < to; at += chunk.limit()) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), to - at));
      while (chunk.hasRemaining()) {
        if (channel.read(chunk, at + chunk.position()) < 0) {
          return false;
        }
      }
      for (int i = 0; i < chunk.limit(); i++) {
        if (chunk.get(i) != 0) {
          return false;
        }
      }
    }
    return true;
  }
}
