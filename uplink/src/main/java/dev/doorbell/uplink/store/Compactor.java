package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reclaims the space of deleted clips in closed segments (docs/FORMAT.md §6, "Compaction"), never the newest one
 * nor any segment the checkpoint may still name. A segment holding nothing kept but its start record is removed
 * ("removed" line first, then the unlink and a directory fsync); a segment holding kept records and deleted ones is
 * rewritten: a temporary file with the magic and the kept records byte for byte, fsync'd, then the "compacted" line
 * naming its length, records and CRC32C, then the rename over the segment and a directory fsync. A stop between any
 * two steps leaves the old segment or the new one, and readers tell which from the ledger line and the file.
 */
final class Compactor {
    /** What one segment became: {@code reclaimed} bytes, and where each kept record moved (old offset, new offset). */
    record Outcome(long segment, String action, long reclaimed, long[] oldOffsets, long[] newOffsets) {}

    /** Between the steps of a compaction: tests stop here to prove that any stop leaves a readable store. */
    interface Steps {
        Steps NONE = step -> {};

        void reached(String step) throws IOException;
    }

    private final Path storeDir;
    private final RetentionLedger ledger;
    private final DiskOps ops;
    private final Clock clock;
    private final Steps steps;

    Compactor(Path storeDir, RetentionLedger ledger, DiskOps ops, Clock clock, Steps steps) {
        this.storeDir = storeDir;
        this.ledger = ledger;
        this.ops = ops;
        this.clock = clock;
        this.steps = steps;
    }

    /**
     * Compacts or removes segment {@code number}, committed to {@code committedLength} (or -1 when not known), when it
     * holds records of deleted clips; null when it holds none, or holds damage (it is left for {@code fsck}).
     */
    Outcome compact(long number, long committedLength) throws IOException {
        Path segmentsDir = storeDir.resolve(SegmentFormat.SEGMENTS_DIR);
        Path file = segmentsDir.resolve(SegmentFormat.segmentName(number));
        List<long[]> kept = new ArrayList<>();
        long[] dropped = new long[1];
        boolean[] clipKept = new boolean[1];
        SegmentScanner.Result result =
                SegmentScanner.scan(file, number, false, committedLength, false, (offset, length, record) -> {
                    if (ClipIndex.deletedBy(ledger, record) != null) {
                        dropped[0]++;
                    } else {
                        kept.add(new long[] {offset, length});
                        clipKept[0] |= !record.hasSegmentStart();
                    }
                });
        if (dropped[0] == 0 || !result.damaged().isEmpty() || result.tail() != null) {
            return null;
        }
        long size = result.size();
        if (!clipKept[0]) {
            ledger.append(storeDir, List.of(RetentionLedger.removedLine(number, clock.instant())), ops, clock);
            steps.reached("removed line written");
            Files.delete(file);
            ops.forceDirectory(segmentsDir);
            return new Outcome(number, "removed", size, new long[0], new long[0]);
        }
        Path temp = segmentsDir.resolve(SegmentFormat.segmentName(number) + ".tmp");
        Files.deleteIfExists(temp);
        long[] oldOffsets = new long[kept.size()];
        long[] newOffsets = new long[kept.size()];
        long length = SegmentFormat.MAGIC.length;
        CRC32C crc = new CRC32C();
        crc.update(SegmentFormat.MAGIC);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                FileChannel out =
                        StoreFiles.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ops.write(out, ByteBuffer.wrap(SegmentFormat.MAGIC), 0);
            for (int i = 0; i < kept.size(); i++) {
                long[] record = kept.get(i);
                byte[] framed = SegmentScanner.read(in, record[0], (int) record[1]);
                oldOffsets[i] = record[0];
                newOffsets[i] = length;
                ops.write(out, ByteBuffer.wrap(framed), length);
                crc.update(framed);
                length += framed.length;
            }
            ops.force(out);
        }
        steps.reached("compacted file written");
        ledger.append(
                storeDir,
                List.of(RetentionLedger.compactedLine(
                        number, length, kept.size(), (int) crc.getValue(), clock.instant())),
                ops,
                clock);
        steps.reached("compacted line written");
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ops.forceDirectory(segmentsDir);
        return new Outcome(number, "compacted", size - length, oldOffsets, newOffsets);
    }

    /**
     * Finishes what a stop left: a segment the ledger removed that is still there is removed now (its records are
     * all of deleted clips). Compactions need nothing: a file that matches no compacted line is the original.
     */
    void finishRemovals(List<Long> present) throws IOException {
        Path segmentsDir = storeDir.resolve(SegmentFormat.SEGMENTS_DIR);
        boolean any = false;
        for (long k : present) {
            if (ledger.removed(k)) {
                any |= Files.deleteIfExists(segmentsDir.resolve(SegmentFormat.segmentName(k)));
            }
        }
        if (any) {
            ops.forceDirectory(segmentsDir);
        }
    }

    /** CRC32C of a whole file, read in blocks. */
    static int fileCrc(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                crc.update(buffer);
                buffer.clear();
            }
        }
        return (int) crc.getValue();
    }
}
