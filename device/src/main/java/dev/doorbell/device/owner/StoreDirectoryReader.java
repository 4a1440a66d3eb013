package dev.doorbell.device.owner;

import dev.doorbell.device.owner.ClipAssembly.Hole;
import dev.doorbell.device.owner.SegmentScan.Committed;
import dev.doorbell.device.owner.StoreFinding.Kind;
import dev.doorbell.proto.v1.StoredSegmentStart;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Reads the uplink's directory store (docs/FORMAT.md §6) read-only, written from the format document alone: the
 * device side never links the uplink's code. It applies the reader rules of §6: a live store is read up to its last
 * group commit; bad records are skipped by resynchronisation and reported as damaged ranges; missing segments,
 * segments shorter than committed, a damaged checkpoint and bad start records are findings; each clip learns which
 * of those holes may hold its missing records. Frames are returned exactly as stored and in stored order, so that
 * the opener, not the reader, judges order, gaps and duplicates.
 */
public final class StoreDirectoryReader {
  static final byte[] SEGMENT_MAGIC = "DBSTORE1".getBytes(StandardCharsets.US_ASCII);
  static final String MARKER_FILE = "doorbell-store";
  private static final int MAX_START_RECORD_BYTES = 4096;

  private record Start(StoredSegmentStart record, int framedLength) {}

  private final Path dir;
  private final int version;
  private final List<Long> numbers;
  private final Map<Long, Start> starts = new HashMap<>();
  private final List<StoreFinding> findings = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<Hole> holes = new ArrayList<>();
  private final Map<Long, Committed> committed = new HashMap<>();

  private StoreDirectoryReader(Path dir, int version, List<Long> numbers) {
    this.dir = dir;
    this.version = version;
    this.numbers = numbers;
  }

  public static StoreSnapshot read(Path storeDir) throws IOException {
    int version = version(storeDir);
    StoreLock.Holder holder = StoreLock.probe(storeDir);
    // The checkpoint before the listing: a live uplink creates a segment before any checkpoint names it, so every
    // segment the checkpoint read here names is in the listing made after it.
    Checkpoint.Read checkpointRead = version == 2 ? Checkpoint.read(storeDir) : null;
    List<Long> numbers = segmentNumbers(storeDir);
    if (holder.live() && checkpointRead != null && checkpointRead.checkpoint() != null) {
      // Segments the uplink made after that checkpoint are past the consistent prefix: not read, not checked.
      long last = checkpointRead.checkpoint().segment();
      numbers = numbers.stream().filter(k -> k <= last).toList();
    }
    return new StoreDirectoryReader(storeDir, version, numbers).read(holder, checkpointRead);
  }

  private StoreSnapshot read(StoreLock.Holder holder, Checkpoint.Read checkpointRead) throws IOException {
    if (holder.problem() != null) {
      notes.add(holder.problem());
    }
    Checkpoint checkpoint = checkpointRead == null ? null : checkpointRead.checkpoint();
    long newest = numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1);
    if (version == 1) {
      notes.add("v1 store (no checkpoint, no start records): a store shorter than what was acknowledged cannot be"
          + " detected");
    } else {
      for (long k : numbers) {
        Start start = peekStart(segmentPath(k), k);
        if (start != null) {
          starts.put(k, start);
        }
      }
      committedLengths(checkpoint);
    }
    checkNumbering();
    if (holder.live()) {
      notes.add(checkpoint != null
          ? "live store (" + holder.name() + "): read up to the last group commit, segment "
              + StoreFinding.segmentName(checkpoint.segment()) + " offset " + checkpoint.length()
          : "live store (" + holder.name() + "): no checkpoint to read up to; the newest segment's tail may be in"
              + " mid-write");
    }
    List<SegmentScan.Found> records = new ArrayList<>();
    List<Long> recordSegments = new ArrayList<>();
    boolean clipRecords = false;
    Map<Long, SegmentScan> scans = new HashMap<>();
    for (long k : numbers) {
      boolean liveNewest = holder.live() && checkpoint != null && k == checkpoint.segment();
      SegmentScan scan = SegmentScan.scan(segmentPath(k), k,
          new SegmentScan.Mode(committed.get(k), k == newest, liveNewest, version == 1));
      scans.put(k, scan);
      for (SegmentScan.Found f : scan.records) {
        records.add(f);
        recordSegments.add(k);
        clipRecords |= !f.record().hasSegmentStart();
      }
      for (StoreFinding d : scan.damaged) {
        findings.add(d);
        holes.add(new Hole(k, d.start(), "damaged range segment " + StoreFinding.segmentName(k) + " offsets "
            + d.start() + ".." + d.end()));
      }
      warnings.addAll(scan.warnings);
    }
    if (version == 2) {
      checkStartRecords(scans);
      checkCheckpoint(checkpointRead, newest, clipRecords);
      checkCommitted(scans);
    }
    ClipAssembly assembly = new ClipAssembly(holes);
    for (int i = 0; i < records.size(); i++) {
      assembly.add(recordSegments.get(i), records.get(i).offset(), records.get(i).record());
    }
    findings.sort(Comparator.comparingLong(StoreFinding::segment).thenComparingLong(StoreFinding::start));
    String checkpointText = checkpoint != null
        ? "segment " + StoreFinding.segmentName(checkpoint.segment()) + " offset " + checkpoint.length() + " ("
            + checkpoint.records() + " records, sequence " + Long.toUnsignedString(checkpoint.sequence()) + ")"
        : version == 2 ? "none" : null;
    StoreReport report = new StoreReport(dir, version, holder.live() ? holder.name() : null, checkpointText,
        findings, notes);
    return new StoreSnapshot(dir, assembly.clips(), warnings, List.of(report));
  }

  /** Committed lengths from each start record (for the segment before it) and from the checkpoint. */
  private void committedLengths(Checkpoint checkpoint) {
    for (int i = 0; i + 1 < numbers.size(); i++) {
      long k = numbers.get(i);
      long next = numbers.get(i + 1);
      Start start = starts.get(next);
      if (start == null || start.record().getPreviousSegment() != k) {
        continue;
      }
      if (start.record().getPreviousLength() < SEGMENT_MAGIC.length) {
        finding(Kind.BAD_START_RECORD, next, 0, 0, "segment " + StoreFinding.segmentName(next) + "'s start record"
            + " gives segment " + StoreFinding.segmentName(k) + " a committed length of "
            + Long.toUnsignedString(start.record().getPreviousLength()) + " bytes, less than its magic");
        continue;
      }
      committed.put(k, new Committed(start.record().getPreviousLength(), start.record().getPreviousRecords(),
          "segment " + StoreFinding.segmentName(next) + "'s start record"));
    }
    if (checkpoint == null) {
      return;
    }
    long c = checkpoint.segment();
    if (checkpoint.length() < SEGMENT_MAGIC.length) {
      finding(Kind.DAMAGED_CHECKPOINT, 0, 0, 0, "the checkpoint gives segment " + StoreFinding.segmentName(c)
          + " a committed length of " + Long.toUnsignedString(checkpoint.length()) + " bytes, less than its magic");
      return;
    }
    if (numbers.contains(c)) {
      Committed bySuccessor = committed.get(c);
      if (bySuccessor == null) {
        committed.put(c, new Committed(checkpoint.length(), checkpoint.records(), "the checkpoint"));
      } else if (bySuccessor.length() != checkpoint.length() || bySuccessor.records() != checkpoint.records()) {
        finding(Kind.DAMAGED_CHECKPOINT, 0, 0, 0, "the checkpoint gives segment " + StoreFinding.segmentName(c)
            + " " + checkpoint.length() + " bytes and " + checkpoint.records() + " records, " + bySuccessor.source()
            + " " + bySuccessor.length() + " bytes and " + bySuccessor.records() + " records");
      }
    }
    Start above = starts.get(c + 1);
    if (above != null && !committed.containsKey(c + 1)) {
      committed.put(c + 1, new Committed(SEGMENT_MAGIC.length + above.framedLength(), 1,
          "the checkpoint, which names the segment before it"));
    }
  }

  /** Gaps in the segment numbers and, in a v2 store, what the first segment's start record says came before it. */
  private void checkNumbering() {
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
        finding(Kind.BAD_START_RECORD, lowest, 0, 0, "segment " + StoreFinding.segmentName(lowest)
            + "'s start record names segment " + Long.toUnsignedString(previous) + " before it");
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
  private void checkStartRecords(Map<Long, SegmentScan> scans) {
    Predicate<Long> unreadable = k -> !starts.containsKey(k) && scans.get(k) != null
        && scans.get(k).damaged.stream().anyMatch(d -> d.start() <= SEGMENT_MAGIC.length);
    Long first = numbers.stream().filter(k -> starts.containsKey(k) || unreadable.test(k)).findFirst().orElse(null);
    if (first == null) {
      if (!numbers.isEmpty()) {
        finding(Kind.BAD_START_RECORD, numbers.get(0), 0, 0, "no segment begins with a start record");
      }
      return;
    }
    List<Long> older = numbers.stream().filter(k -> k < first).toList();
    if (!older.isEmpty()) {
      notes.add(range(older.get(0), older.get(older.size() - 1)) + " written by a v1 uplink before the upgrade: start"
          + " records and the checkpoint are checked from segment " + StoreFinding.segmentName(first) + " on");
    }
    for (int i = numbers.indexOf(first); i < numbers.size(); i++) {
      long k = numbers.get(i);
      String name = StoreFinding.segmentName(k);
      String previous = i == 0 ? null : StoreFinding.segmentName(numbers.get(i - 1));
      if (unreadable.test(k)) {
        notes.add("segment " + name + " begins with a damaged range: its start record cannot be read"
            + (previous == null ? "" : ", so segment " + previous + "'s committed length cannot be checked"));
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
        finding(Kind.BAD_START_RECORD, k, 0, 0, "segment " + name + "'s start record says it is the first segment,"
            + " but segment " + previous + " comes before it");
      } else if (p != q && !(p > q && p < k)) {
        finding(Kind.BAD_START_RECORD, k, 0, 0, "segment " + name + "'s start record names segment "
            + Long.toUnsignedString(p) + " before it, but segment " + previous + " comes before it");
      }
    }
  }

  /** The checkpoint must name the newest segment, or the one before it while the newest holds only its start. */
  private void checkCheckpoint(Checkpoint.Read read, long newest, boolean clipRecords) {
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
      findings.add(new StoreFinding(Kind.MISSING_SEGMENTS, newest + 1, newest + 1, c.segment(), "segments after "
          + StoreFinding.segmentName(newest) + " are missing (" + names + ")"));
      holes.add(new Hole(newest + 1, 0, "missing segments after " + StoreFinding.segmentName(newest) + " ("
          + names + ")"));
    } else if (c.segment() < newest - 1) {
      finding(Kind.DAMAGED_CHECKPOINT, 0, 0, 0, "the " + names + ", but segments up to "
          + StoreFinding.segmentName(newest) + " exist");
    }
  }

  /** Each segment with a committed length must hold it: fewer bytes is a store shorter than what was acknowledged. */
  private void checkCommitted(Map<Long, SegmentScan> scans) {
    for (long k : numbers) {
      Committed c = committed.get(k);
      SegmentScan scan = scans.get(k);
      if (c == null || scan == null) {
        continue;
      }
      String name = StoreFinding.segmentName(k);
      if (scan.size() < c.length()) {
        findings.add(new StoreFinding(Kind.SHORTER_THAN_COMMITTED, k, scan.size(), c.length(), "segment " + name
            + " is shorter than committed: " + scan.size() + " of " + c.length() + " bytes, "
            + scan.committedRecords + " of " + c.records() + " records"));
        holes.add(new Hole(k, scan.size(), "segment " + name + " bytes " + scan.size() + ".." + c.length()
            + " (shorter than committed)"));
      } else if (!scan.damageBeforeCommitted && scan.committedRecords != c.records()) {
        finding(c.source().equals("the checkpoint") ? Kind.DAMAGED_CHECKPOINT : Kind.BAD_START_RECORD, k, 0, 0,
            "segment " + name + " holds " + scan.committedRecords + " records up to offset " + c.length() + ", "
                + c.source() + " says " + c.records());
      }
    }
  }

  private void missing(long first, long last, String why) {
    findings.add(new StoreFinding(Kind.MISSING_SEGMENTS, first, first, last,
        (first == last ? "segment " + StoreFinding.segmentName(first) + " is missing"
            : "segments " + StoreFinding.segmentName(first) + ".." + StoreFinding.segmentName(last) + " are missing")
            + why));
    holes.add(new Hole(first, 0, "missing " + (first == last ? "segment " + StoreFinding.segmentName(first)
        : "segments " + StoreFinding.segmentName(first) + ".." + StoreFinding.segmentName(last))));
  }

  private void finding(Kind kind, long segment, long start, long end, String message) {
    findings.add(new StoreFinding(kind, segment, start, end, message));
  }

  private static String range(long first, long last) {
    return first == last ? "segment " + StoreFinding.segmentName(first) + " was"
        : "segments " + StoreFinding.segmentName(first) + ".." + StoreFinding.segmentName(last) + " were";
  }

  private Path segmentPath(long number) {
    return dir.resolve("segments").resolve(StoreFinding.segmentName(number) + ".seg");
  }

  /** The store's format version from its marker: 1 or 2; anything else is refused, naming what the marker says. */
  private static int version(Path storeDir) throws IOException {
    Path marker = storeDir.resolve(MARKER_FILE);
    String text;
    try {
      text = Files.readString(marker, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new IOException("not a doorbell store (no " + MARKER_FILE + " marker): " + storeDir);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IOException("not a doorbell store (" + marker + " is not ASCII)");
    }
    return switch (text) {
      case "doorbell-store v1\n" -> 1;
      case "doorbell-store v2\n" -> 2;
      default -> throw new IOException("unsupported store " + storeDir + ": its marker says '"
          + text.strip().replaceAll("[^\\x20-\\x7e]", "?") + "'; this reader knows doorbell-store v1 and v2");
    };
  }

  /** Segment numbers from file names of 10 digits and ".seg", from 1, in order; other files are not segments. */
  private static List<Long> segmentNumbers(Path storeDir) throws IOException {
    Path segments = storeDir.resolve("segments");
    if (!Files.isDirectory(segments)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(segments)) {
      return list.map(p -> p.getFileName().toString())
          .filter(n -> n.length() == 14 && n.endsWith(".seg")
              && n.substring(0, 10).chars().allMatch(c -> c >= '0' && c <= '9'))
          .map(n -> Long.parseLong(n.substring(0, 10)))
          .filter(n -> n >= 1)
          .sorted()
          .toList();
    }
  }

  /** The segment's start record if its first record is a valid one, read without reading the whole file. */
  private static Start peekStart(Path file, long number) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < SEGMENT_MAGIC.length + RecordCheck.HEADER_BYTES) {
        return null;
      }
      ByteBuffer head = readFully(channel, SEGMENT_MAGIC.length + RecordCheck.HEADER_BYTES);
      long length = Integer.toUnsignedLong(head.getInt(SEGMENT_MAGIC.length));
      if (!Arrays.equals(head.array(), 0, SEGMENT_MAGIC.length, SEGMENT_MAGIC, 0, SEGMENT_MAGIC.length)
          || length > MAX_START_RECORD_BYTES || head.capacity() + length > size) {
        return null;
      }
      ByteBuffer all = readFully(channel, head.capacity() + (int) length);
      RecordCheck.Result r = RecordCheck.check(all, SEGMENT_MAGIC.length, all.capacity(), number,
          "the end of the segment");
      return r.valid() && r.record().hasSegmentStart() ? new Start(r.record().getSegmentStart(), r.framedLength())
          : null;
    }
  }

  private static ByteBuffer readFully(FileChannel channel, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, buffer.position()) < 0) {
        throw new IOException("segment ended while reading its first " + length + " bytes");
      }
    }
    return buffer;
  }
}
