package dev.doorbell.uplink.store;

import dev.doorbell.proto.v1.StoredFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads a store directory without changing it, for tools and tests: lists its clips and returns each clip's header
 * bytes and frames exactly as stored. Opening checks every record's length and CRC32C and the ordering rules of
 * docs/FORMAT.md §6; {@link #report()} says what it found. A bad record ends the reading of its segment; a torn
 * tail of the newest segment (what a live or crashed writer leaves) is reported apart from corruption.
 */
public final class StoreReader implements AutoCloseable {
  /** One stored frame, bytes as the device sent them. Sealed bytes are ciphertext, not a secret. */
  public record Frame(int seq, boolean last, byte[] meta, byte[] sealed) {}

  /** One stored clip: header bytes as sent, frames in stored (= seq) order, and whether its close is stored. */
  public record Clip(String deviceId, long clipId, byte[] header, List<Frame> frames, boolean closed) {}

  /**
   * What a scan found: counts, a torn tail of the newest segment (null when none) and every problem, each naming
   * segment and offset. {@link #ok()} is true when there is no problem; a torn tail alone is not one.
   */
  public record Report(int segments, long records, long bytes, int clips, String tornTail, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private final ClipIndex index;
  private final SegmentReads reads;
  private final Report report;

  private StoreReader(ClipIndex index, SegmentReads reads, Report report) {
    this.index = index;
    this.reads = reads;
    this.report = report;
  }

  public static StoreReader open(Path dir) throws IOException {
    Path marker = dir.resolve(SegmentFormat.MARKER_FILE);
    if (!Files.isRegularFile(marker)
        || !Files.readString(marker, StandardCharsets.US_ASCII).strip().equals(SegmentFormat.MARKER_LINE)) {
      throw new IOException(dir + " is not a doorbell store v1 (no valid " + SegmentFormat.MARKER_FILE + " marker)");
    }
    Path segmentsDir = dir.resolve(SegmentFormat.SEGMENTS_DIR);
    List<Long> numbers = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(segmentsDir, "*" + SegmentFormat.SUFFIX)) {
      for (Path entry : entries) {
        long number = SegmentFormat.segmentNumber(entry.getFileName().toString());
        if (number > 0) {
          numbers.add(number);
        }
      }
    }
    Collections.sort(numbers);
    ClipIndex index = new ClipIndex();
    List<String> problems = new ArrayList<>();
    long[] counts = {0, 0};
    String tornTail = null;
    for (int i = 0; i < numbers.size(); i++) {
      long number = numbers.get(i);
      String name = SegmentFormat.segmentName(number);
      SegmentScanner.Result result = SegmentScanner.scan(segmentsDir.resolve(name), (offset, length, record) -> {
        String problem = index.replay(record, number, offset, length);
        if (problem != null) {
          problems.add("segment " + name + " offset " + offset + ": " + problem);
        }
        counts[0]++;
        counts[1] += length;
      });
      if (result.clean()) {
        continue;
      }
      String where = "segment " + name + " offset " + result.validEnd() + ": " + result.problem();
      if (i == numbers.size() - 1 && result.tearable() && !result.validRecordAfter()) {
        tornTail = where + " (" + (result.size() - result.validEnd()) + " bytes never acknowledged)";
      } else {
        problems.add(where + (result.validRecordAfter() ? "; valid records follow it" : ""));
      }
    }
    Report report = new Report(numbers.size(), counts[0], counts[1], index.size(), tornTail, List.copyOf(problems));
    return new StoreReader(index, new SegmentReads(segmentsDir), report);
  }

  /** Opens, reports and closes: the check of a whole store directory. */
  public static Report verify(Path dir) throws IOException {
    try (StoreReader reader = open(dir)) {
      return reader.report();
    }
  }

  public Report report() {
    return report;
  }

  /** Every clip found, by device id and then clip id. */
  public List<ClipStatus> clips() {
    List<ClipStatus> clips = new ArrayList<>();
    index.all().forEach(clip -> clips.add(clip.status()));
    return clips;
  }

  /** The clip's header and frames as stored, or null when the store has no such clip. */
  public Clip clip(String deviceId, long clipId) throws IOException {
    ClipState state = index.get(deviceId, clipId);
    if (state == null) {
      return null;
    }
    List<Frame> frames = new ArrayList<>(state.persisted());
    FrameLocations at = state.durableFrames;
    for (int seq = 0; seq < state.persisted(); seq++) {
      StoredFrame frame = reads.read(at.segment(seq), at.offset(seq), at.length(seq)).getFrame();
      frames.add(new Frame(frame.getSeq(), frame.getLast(), frame.getMeta().toByteArray(),
          frame.getSealed().toByteArray()));
    }
    return new Clip(deviceId, clipId, state.header.clone(), List.copyOf(frames), state.closePersisted);
  }

  @Override
  public void close() throws IOException {
    reads.close();
  }
}
