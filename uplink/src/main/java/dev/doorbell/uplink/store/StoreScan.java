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
 * The checks of docs/FORMAT.md §6 over a whole store, without changing it: every segment scanned with
 * resynchronisation, the chain of start records, the checkpoint against the newest segment, each segment against
 * its committed length, and the clips that lost records. Records are replayed into a {@link ClipIndex} in log
 * order. What it finds is a list of {@link StoreFinding}s; what to do about them is the caller's (the uplink's
 * start, {@code fsck}).
 */
final class StoreScan {
  /** What a segment was committed to hold, and who says so. */
  record Expectation(long length, long records, String source) {}

  /** One segment as scanned, with its expectation (null when none can be known). */
  record Segment(long number, Path file, SegmentScanner.Result result, Expectation expected) {}

  /** The segment the next new segment's start record names, and its committed length and records. */
  record Chain(long segment, long length, long records) {}

  final int version;
  final Checkpoint checkpoint;
  final List<Segment> segments = new ArrayList<>();
  final List<StoreFinding> findings = new ArrayList<>();
  long records;
  long bytes;
  /** Whether the uplink may go on appending to the newest segment: it is exactly what was committed. */
  boolean newestResumable;
  /** What a new segment's start record must carry: the newest committed state known. */
  Chain chain = new Chain(0, 0, 0);
  /** The number a new segment gets. */
  long nextNumber = 1;

  private final Path storeDir;
  private final ClipIndex index;
  private final Map<Long, SegmentScanner.Start> starts = new HashMap<>();
  private final Map<Long, Expectation> expected = new HashMap<>();
  /** Segments missing before a segment (by the segment after them), and after the newest. */
  private final Map<Long, String> missingBefore = new HashMap<>();
  private String missingAtEnd;
  private boolean checkpointBehind;
  /** The segment being scanned, for the visitor. */
  private long current;

  private StoreScan(Path storeDir, int version, Checkpoint checkpoint, ClipIndex index) {
    this.storeDir = storeDir;
    this.version = version;
    this.checkpoint = checkpoint;
    this.index = index;
  }

  /** The scan of a store being made: nothing in it yet. */
  static StoreScan empty(Path storeDir, ClipIndex index) {
    return new StoreScan(storeDir, 2, null, index);
  }

  /** The store's format version from its marker: 1 or 2; anything else is refused naming what it reads. */
  static int version(Path storeDir) throws IOException {
    Path marker = storeDir.resolve(SegmentFormat.MARKER_FILE);
    if (!Files.isRegularFile(marker)) {
      throw new IOException(storeDir + " is not a doorbell store: it has no " + SegmentFormat.MARKER_FILE + " marker");
    }
    String line = Files.readString(marker, StandardCharsets.US_ASCII).strip();
    if (line.equals(SegmentFormat.MARKER_LINE)) {
      return 2;
    }
    if (line.equals(SegmentFormat.MARKER_LINE_V1)) {
      return 1;
    }
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
    Checkpoint checkpoint = null;
    String checkpointProblem = null;
    if (version >= 2) {
      CheckpointFile.Contents contents = CheckpointFile.read(storeDir.resolve(SegmentFormat.CHECKPOINT_FILE));
      checkpoint = contents.latest();
      checkpointProblem = contents.problem();
    }
    StoreScan scan = new StoreScan(storeDir, version, checkpoint, index);
    if (checkpointProblem != null) {
      scan.add(StoreFinding.Kind.CHECKPOINT, checkpointProblem + ": what was acknowledged in the newest segment "
          + "cannot be checked");
    }
    scan.scanAll(livePid);
    return scan;
  }

  private void scanAll(long livePid) throws IOException {
    Path segmentsDir = storeDir.resolve(SegmentFormat.SEGMENTS_DIR);
    List<Long> numbers = segmentNumbers(segmentsDir);
    if (livePid != -1) {
      noteLive(livePid, numbers);
    }
    if (version >= 2) {
      for (long number : numbers) {
        SegmentScanner.Start start = SegmentScanner.readStart(segmentsDir.resolve(SegmentFormat.segmentName(number)));
        if (start != null) {
          starts.put(number, start);
        }
      }
      checkChain(numbers);
      checkNewest(numbers);
    }
    SegmentScanner.Visitor visitor = new SegmentScanner.Visitor() {
      @Override
      public void record(long offset, int recordLength, StoredRecord record) {
        bytes += recordLength;
        String problem = index.replay(record, current, offset, recordLength);
        if (problem != null) {
          add(StoreFinding.Kind.CLIP, "segment " + SegmentFormat.segmentName(current) + " offset " + offset + ": "
              + problem + "; the clip is marked damaged");
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
      long limit = livePid != -1 && checkpoint != null && number == checkpoint.segment() ? checkpoint.length()
          : Long.MAX_VALUE;
      SegmentScanner.Result result = SegmentScanner.scan(segmentsDir.resolve(SegmentFormat.segmentName(number)),
          number, i == numbers.size() - 1, expectation == null ? -1 : expectation.length(), limit, visitor);
      segments.add(new Segment(number, segmentsDir.resolve(SegmentFormat.segmentName(number)), result, expectation));
      records += result.records();
      check(result, expectation);
    }
    if (missingAtEnd != null) {
      index.recordsLost(missingAtEnd);
    }
    for (ClipState clip : index.finishReplay()) {
      add(StoreFinding.Kind.CLIP, clip.name() + ": " + clip.damage + "; the clip is marked damaged");
    }
    decideNewest(numbers);
  }

  private void noteLive(long livePid, List<Long> numbers) {
    if (checkpoint == null) {
      add(StoreFinding.Kind.NOTE, "live store (uplink pid " + livePid + ") without a valid checkpoint: the newest "
          + "segment's last records may be in the middle of being written");
      return;
    }
    numbers.removeIf(n -> n > checkpoint.segment());
    add(StoreFinding.Kind.NOTE, "live store (uplink pid " + livePid + "): read up to the last group commit, segment "
        + SegmentFormat.segmentName(checkpoint.segment()) + " offset " + checkpoint.length());
  }

  /** From the first segment with a start record on, each start record must name the segment before it. */
  private void checkChain(List<Long> numbers) {
    int first = -1;
    for (int i = 0; i < numbers.size() && first < 0; i++) {
      if (starts.containsKey(numbers.get(i))) {
        first = i;
      }
    }
    if (first < 0) {
      if (!numbers.isEmpty()) {
        add(StoreFinding.Kind.CHAIN, "no segment starts with a start record, though the store is v2: the segment "
            + "its upgrade or creation started is missing or damaged");
      }
      return;
    }
    if (first > 0) {
      add(StoreFinding.Kind.NOTE, (first == 1 ? "segment " + SegmentFormat.segmentName(numbers.get(0))
          : "segments " + SegmentFormat.segmentName(numbers.get(0)) + " to "
          + SegmentFormat.segmentName(numbers.get(first - 1))) + " predate start records (written by a v1 uplink): "
          + "only the last one's committed length is checked");
    }
    for (int i = first; i < numbers.size(); i++) {
      long number = numbers.get(i);
      long previous = i > 0 ? numbers.get(i - 1) : 0;
      SegmentScanner.Start start = starts.get(number);
      String name = SegmentFormat.segmentName(number);
      if (start == null) {
        add(StoreFinding.Kind.CHAIN, "segment " + name + " does not start with a valid start record: whether "
            + "segments before it are missing cannot be checked");
        if (previous > 0 && number - previous > 1) {
          missing(number, missingRange(previous + 1, number - 1) + " (segment numbers skip from "
              + SegmentFormat.segmentName(previous) + " to " + name + ")");
        }
        continue;
      }
      StoredSegmentStart record = start.record();
      if (record.getSegment() != number) {
        add(StoreFinding.Kind.CHAIN, "segment " + name + "'s start record names segment "
            + Long.toUnsignedString(record.getSegment()));
      }
      long named = record.getPreviousSegment();
      if (named == previous) {
        if (named > 0) {
          expected.put(named, new Expectation(record.getPreviousLength(), record.getPreviousRecords(),
              "the start record of segment " + name));
        }
      } else if (Long.compareUnsigned(named, previous) > 0) {
        missing(number, missingRange(previous + 1, named) + " (the start record of segment " + name + " names "
            + SegmentFormat.segmentName(named) + " before it)");
      } else {
        add(StoreFinding.Kind.CHAIN, "the start record of segment " + name + " names "
            + (named == 0 ? "no segment" : "segment " + SegmentFormat.segmentName(named)) + " before it, but segment "
            + SegmentFormat.segmentName(previous) + " precedes it");
      }
    }
  }

  /** The checkpoint must name the newest segment, or the one before it when the newest holds only its start record. */
  private void checkNewest(List<Long> numbers) {
    if (checkpoint == null) {
      return;
    }
    long newest = numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1);
    long named = checkpoint.segment();
    if (named > newest) {
      missingAtEnd = (newest == 0 ? "every segment up to " + SegmentFormat.segmentName(named) + " is missing"
          : "segments after " + SegmentFormat.segmentName(newest) + " are missing") + " (the checkpoint names segment "
          + SegmentFormat.segmentName(named) + ", length " + checkpoint.length() + ", " + checkpoint.records()
          + " records)";
      add(StoreFinding.Kind.MISSING, missingAtEnd);
    } else if (named == newest) {
      expected.put(newest, new Expectation(checkpoint.length(), checkpoint.records(), "the checkpoint"));
    } else if (named == newest - 1 && starts.containsKey(newest)) {
      // A crash between making a segment and checkpointing it: allowed while the segment holds only its start record.
      expected.put(newest, new Expectation(starts.get(newest).end(), 1,
          "its start record (the checkpoint names the segment before it)"));
      Expectation byStart = expected.get(named);
      if (byStart == null) {
        expected.put(named, new Expectation(checkpoint.length(), checkpoint.records(), "the checkpoint"));
      } else if (byStart.length() != checkpoint.length() || byStart.records() != checkpoint.records()) {
        add(StoreFinding.Kind.CHECKPOINT, "the checkpoint says segment " + SegmentFormat.segmentName(named)
            + " committed " + checkpoint.length() + " bytes and " + checkpoint.records() + " records, "
            + byStart.source() + " says " + byStart.length() + " bytes and " + byStart.records() + " records");
      }
    } else {
      checkpointBehind = true;
      add(StoreFinding.Kind.CHECKPOINT, "the checkpoint names segment " + SegmentFormat.segmentName(named)
          + " (length " + checkpoint.length() + ", " + checkpoint.records() + " records) but the newest segment is "
          + SegmentFormat.segmentName(newest) + ": the checkpoint is behind the segments");
    }
  }

  /** One segment's records against what was committed, and its tail. */
  private void check(SegmentScanner.Result result, Expectation expectation) {
    String name = SegmentFormat.segmentName(result.number());
    boolean onlyStart = expectation != null && expectation.source().startsWith("its start record");
    if (expectation != null) {
      // Damage before the committed length is reported as damaged ranges; a file cut short is shortened besides.
      if (result.size() < expectation.length()) {
        add(StoreFinding.Kind.SHORTENED, "segment " + name + " is shorter than committed: " + result.committedEnd()
            + " of " + expectation.length() + " bytes, " + result.committedRecords() + " of " + expectation.records()
            + " records (committed by " + expectation.source() + ")");
        index.recordsLost("the end of segment " + name + " (offsets " + result.committedEnd() + " to "
            + expectation.length() + ")");
      } else if (result.committedEnd() == expectation.length() && result.committedRecords() != expectation.records()
          && !result.damagedBelow(expectation.length())) {
        add(StoreFinding.Kind.CHECKPOINT, "segment " + name + " holds " + result.committedRecords() + " records in its "
            + "committed " + expectation.length() + " bytes, but " + expectation.source() + " says "
            + expectation.records());
      }
      long extra = result.records() - result.committedRecords();
      if (extra > 0 && onlyStart) {
        checkpointBehind = true;
        add(StoreFinding.Kind.CHECKPOINT, "segment " + name + " holds " + extra + " records after its start record, "
            + "but the checkpoint names the segment before it: the checkpoint is behind the segments");
      } else if (extra > 0) {
        add(StoreFinding.Kind.UNACKNOWLEDGED, "segment " + name + " holds " + extra + " records ("
            + (result.validEnd() - expectation.length()) + " bytes) past its committed length " + expectation.length()
            + ": never acknowledged, kept");
      }
    }
    SegmentScanner.Tail tail = result.tail();
    if (tail == null) {
      return;
    }
    if (tail.padding()) {
      add(StoreFinding.Kind.PADDING, "segment " + name + ": " + tail.bytes() + " bytes of zero padding at offset "
          + tail.start());
    } else {
      add(StoreFinding.Kind.TORN_TAIL, "segment " + name + ": " + tail.bytes() + " bytes at offset " + tail.start()
          + (expectation != null ? " past its committed length" : " after its last valid record")
          + " were never acknowledged: " + tail.reason()
          + (tail.validRecordsInside() ? "; valid records follow in them (an earlier write was torn)" : ""));
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
    if (version < 2 || checkpoint == null || last == null || checkpointBehind || missingAtEnd != null) {
      return;
    }
    Expectation expectation = last.expected();
    SegmentScanner.Result result = last.result();
    newestResumable = expectation != null && result.committedEnd() == expectation.length()
        && result.committedRecords() == expectation.records() && result.damaged().isEmpty();
    if (newestResumable) {
      chain = new Chain(newest, result.validEnd(), result.records());
    }
  }

  private void missing(long before, String message) {
    missingBefore.put(before, message);
    add(StoreFinding.Kind.MISSING, message);
  }

  private static String missingRange(long from, long to) {
    return from == to ? "segment " + SegmentFormat.segmentName(from) + " is missing"
        : "segments " + SegmentFormat.segmentName(from) + " to " + SegmentFormat.segmentName(to) + " are missing";
  }

  private void add(StoreFinding.Kind kind, String message) {
    findings.add(new StoreFinding(kind, message));
  }

  /** The findings that mean acknowledged data is lost or unreadable. */
  List<StoreFinding> damage() {
    return findings.stream().filter(StoreFinding::damage).toList();
  }
}
