package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * {@code STORE/damaged/}: a copy of each damaged range, byte for byte, as {@code <segment>-<start>-<end>.bin}, and
 * {@code ranges.txt} with one line per range (docs/FORMAT.md §6). The ranges stay in their segments too: nothing is
 * rewritten or deleted, the copy is for whoever examines the damage. A range already kept (same name, same size) is
 * not copied or listed again, so that each start of the uplink does not add the same lines.
 */
final class DamagedRanges {
    private final Path root;
    private final Path dir;
    private final DiskOps ops;
    private final Clock clock;

    DamagedRanges(Path storeDir, DiskOps ops, Clock clock) {
        this.root = storeDir;
        this.dir = storeDir.resolve(SegmentFormat.DAMAGED_DIR);
        this.ops = ops;
        this.clock = clock;
    }

    static String fileName(long segment, long start, long end) {
        return String.format("%010d-%d-%d.bin", segment, start, end);
    }

    /** The line of ranges.txt for a range (without its newline). */
    static String line(long segment, long start, long end, Instant at, String reason) {
        return SegmentFormat.segmentName(segment) + " " + start + " " + end + " " + (end - start) + " "
                + at.truncatedTo(ChronoUnit.SECONDS) + " " + reason.replaceAll("[\\r\\n]", " ");
    }

    /** Where a range is kept. */
    Path path(SegmentScanner.DamagedRange range) {
        return dir.resolve(fileName(range.segment(), range.start(), range.end()));
    }

    /**
     * Copies [start, end) of {@code segmentFile} into the damaged folder and lists it, each made durable; returns
     * false when it was already kept.
     */
    boolean keep(Path segmentFile, long segment, long start, long end, String reason) throws IOException {
        if (!Files.isDirectory(dir)) {
            StoreFiles.createDirectory(dir);
            ops.forceDirectory(root);
        }
        Path copy = dir.resolve(fileName(segment, start, end));
        if (Files.isRegularFile(copy) && Files.size(copy) == end - start) {
            return false;
        }
        Path temp = dir.resolve(copy.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel from = FileChannel.open(segmentFile, StandardOpenOption.READ);
                FileChannel to =
                        StoreFiles.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            for (long at = start; at < end; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
                int n = from.read(chunk, at);
                if (n < 0) {
                    throw new IOException(
                            "segment " + segmentFile.getFileName() + " ends at " + at + ", before " + end);
                }
                chunk.flip();
                ops.write(to, new ByteBuffer[] {chunk});
                at += n;
            }
            ops.force(to);
        }
        Files.move(temp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        String entry = line(segment, start, end, clock.instant(), reason) + "\n";
        try (FileChannel ranges = StoreFiles.open(
                dir.resolve(SegmentFormat.RANGES_FILE),
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND))) {
            ops.write(ranges, new ByteBuffer[] {ByteBuffer.wrap(entry.getBytes(StandardCharsets.UTF_8))});
            ops.force(ranges);
        }
        ops.forceDirectory(dir);
        return true;
    }
}
