package dev.doorbell.owner;

import dev.doorbell.owner.ClipAssembly.Hole;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    private final Path dir;
    private final int version;
    private final List<Long> numbers;
    private final StoreChecks checks;
    private final List<String> warnings = new ArrayList<>();

    private final RetentionLog retention;

    private StoreDirectoryReader(Path dir, int version, List<Long> numbers, RetentionLog retention) {
        this.dir = dir;
        this.version = version;
        this.numbers = numbers;
        this.retention = retention;
        this.checks = new StoreChecks(numbers, retention);
    }

    public static StoreSnapshot read(Path storeDir) throws IOException {
        // Retention may remove or compact a closed segment of a live store while it is read: its ledger line is
        // written before the file changes, so a read is consistent when the ledger did not change during it.
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            String ledger = ledgerStamp(storeDir);
            try {
                StoreSnapshot snapshot = readOnce(storeDir);
                if (ledgerStamp(storeDir).equals(ledger)) {
                    return snapshot;
                }
            } catch (NoSuchFileException e) {
                last = e;
            }
        }
        throw new IOException("store " + storeDir + " kept changing under retention while it was read", last);
    }

    /**
     * The ledger's size and file identity: an append makes it longer, a rewrite (docs/FORMAT.md §6) renames a new file
     * in place; either one during a read makes the read start again.
     */
    private static String ledgerStamp(Path storeDir) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(
                    storeDir.resolve("retention").resolve("ledger"), java.nio.file.attribute.BasicFileAttributes.class);
            return a.size() + " " + a.fileKey() + " " + a.lastModifiedTime();
        } catch (IOException e) {
            return "none";
        }
    }

    private static StoreSnapshot readOnce(Path storeDir) throws IOException {
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
        RetentionLog retention = RetentionLog.read(storeDir);
        return new StoreDirectoryReader(storeDir, version, numbers, retention).read(holder, checkpointRead);
    }

    private StoreSnapshot read(StoreLock.Holder holder, Checkpoint.Read checkpointRead) throws IOException {
        List<String> notes = checks.notes;
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
                StoreChecks.Start start = peekStart(segmentPath(k), k);
                if (start != null) {
                    checks.starts.put(k, start);
                }
            }
            checks.committedLengths(checkpoint);
            for (long k : numbers) {
                SegmentScan.Committed compacted = retention.compacted(k, segmentPath(k));
                if (compacted != null) {
                    checks.committed.put(k, compacted);
                }
            }
        }
        warnings.addAll(retention.warnings());
        checks.checkNumbering();
        if (holder.live()) {
            notes.add(
                    checkpoint != null
                            ? "live store (" + holder.name() + "): read up to the last group commit, segment "
                                    + StoreFinding.segmentName(checkpoint.segment()) + " offset " + checkpoint.length()
                            : "live store (" + holder.name()
                                    + "): no checkpoint to read up to; the newest segment's tail may be in"
                                    + " mid-write");
        }
        List<SegmentScan.Found> records = new ArrayList<>();
        List<Long> recordSegments = new ArrayList<>();
        boolean clipRecords = false;
        Map<Long, SegmentScan> scans = new HashMap<>();
        for (long k : numbers) {
            boolean liveNewest = holder.live() && checkpoint != null && k == checkpoint.segment();
            SegmentScan scan = SegmentScan.scan(
                    segmentPath(k),
                    k,
                    new SegmentScan.Mode(checks.committed.get(k), k == newest, liveNewest, version == 1));
            scans.put(k, scan);
            for (SegmentScan.Found f : scan.records) {
                records.add(f);
                recordSegments.add(k);
                clipRecords |= !f.record().hasSegmentStart();
            }
            for (StoreFinding d : scan.damaged) {
                checks.findings.add(d);
                checks.holes.add(new Hole(
                        k,
                        d.start(),
                        "damaged range segment " + StoreFinding.segmentName(k) + " offsets " + d.start() + ".."
                                + d.end()));
            }
            warnings.addAll(scan.warnings);
        }
        if (version == 2) {
            checks.checkStartRecords(scans);
            checks.checkCheckpoint(checkpointRead, newest, clipRecords);
            checks.checkCommitted(scans);
        }
        ClipAssembly assembly = new ClipAssembly(checks.holes);
        for (int i = 0; i < records.size(); i++) {
            if (deleted(records.get(i).record())) {
                continue; // retention deleted the clip; its records wait in a segment not compacted yet
            }
            assembly.add(
                    recordSegments.get(i),
                    records.get(i).offset(),
                    records.get(i).record());
        }
        List<StoreFinding> findings = new ArrayList<>(checks.findings);
        findings.sort(Comparator.comparingLong(StoreFinding::segment).thenComparingLong(StoreFinding::start));
        String checkpointText = checkpoint != null
                ? "segment " + StoreFinding.segmentName(checkpoint.segment()) + " offset " + checkpoint.length() + " ("
                        + checkpoint.records() + " records, sequence " + Long.toUnsignedString(checkpoint.sequence())
                        + ")"
                : version == 2 ? "none" : null;
        StoreReport report =
                new StoreReport(dir, version, holder.live() ? holder.name() : null, checkpointText, findings, notes);
        return new StoreSnapshot(dir, assembly.clips(), warnings, List.of(report));
    }

    private boolean deleted(dev.doorbell.proto.v1.StoredRecord r) {
        return retention.deletedRecord(r);
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
            default ->
                throw new IOException("unsupported store " + storeDir + ": its marker says '"
                        + text.strip().replaceAll("[^\\x20-\\x7e]", "?")
                        + "'; this reader knows doorbell-store v1 and v2");
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
                    .filter(n -> n.length() == 14
                            && n.endsWith(".seg")
                            && n.substring(0, 10).chars().allMatch(c -> c >= '0' && c <= '9'))
                    .map(n -> Long.parseLong(n.substring(0, 10)))
                    .filter(n -> n >= 1)
                    .sorted()
                    .toList();
        }
    }

    /** The segment's start record if its first record is a valid one, read without reading the whole file. */
    private static StoreChecks.Start peekStart(Path file, long number) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < SEGMENT_MAGIC.length + RecordCheck.HEADER_BYTES) {
                return null;
            }
            ByteBuffer head = readFully(channel, SEGMENT_MAGIC.length + RecordCheck.HEADER_BYTES);
            long length = Integer.toUnsignedLong(head.getInt(SEGMENT_MAGIC.length));
            if (!head.slice(0, SEGMENT_MAGIC.length).equals(ByteBuffer.wrap(SEGMENT_MAGIC))
                    || length > MAX_START_RECORD_BYTES
                    || head.capacity() + length > size) {
                return null;
            }
            ByteBuffer all = readFully(channel, head.capacity() + (int) length);
            RecordCheck.Result r =
                    RecordCheck.check(all, SEGMENT_MAGIC.length, all.capacity(), number, "the end of the segment");
            return r.valid() && r.record().hasSegmentStart()
                    ? new StoreChecks.Start(r.record().getSegmentStart(), r.framedLength())
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
