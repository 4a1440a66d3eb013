package dev.doorbell.fleet.bench;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Measures the disk under a directory the way the store uses it: sequential writes followed by one fdatasync
 * (the best group commit can do), through the page cache and with direct I/O (O_DIRECT, as the store writes when it
 * can), and small writes with an fdatasync each (no group commit at all). Writes random bytes to a fresh file and
 * deletes it after; each probe is bounded by its byte count or its time.
 */
final class DiskProbe {
    /**
     * Sequential throughput in MB/s through the page cache and with direct I/O (0 when the file system refuses
     * O_DIRECT), and small-write fsyncs per second with their MB/s.
     */
    record Figures(
            long sequentialBytes,
            double sequentialMbPerSecond,
            double directMbPerSecond,
            int smallWriteBytes,
            double fsyncsPerSecond,
            double smallWriteMbPerSecond,
            double fsyncP99Millis,
            double fsyncMaxMillis) {
        /** The disk's sequential write + fdatasync figure: the better of the two ways to write. */
        double bestSequentialMbPerSecond() {
            return Math.max(sequentialMbPerSecond, directMbPerSecond);
        }
    }

    private static final int ALIGN = 4096;

    private final Path dir;

    DiskProbe(Path dir) {
        this.dir = dir;
    }

    Figures measure(long sequentialBytes, int chunkBytes, int smallBytes, long smallMillis) throws IOException {
        double seq = sequential(sequentialBytes, chunkBytes, false);
        double direct;
        try {
            direct = sequential(sequentialBytes, chunkBytes, true);
        } catch (IOException | UnsupportedOperationException e) {
            direct = 0;
        }
        Histogram syncMicros = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        double fsyncs = fsyncEach(smallBytes, smallMillis, syncMicros);
        return new Figures(
                sequentialBytes,
                seq,
                direct,
                smallBytes,
                fsyncs,
                fsyncs * smallBytes / 1e6,
                syncMicros.getValueAtPercentile(99) / 1000.0,
                syncMicros.getMaxValue() / 1000.0);
    }

    /**
     * MB/s of writing {@code total} bytes in {@code chunk}-sized writes (a multiple of 4 KiB), timed through the one
     * closing fdatasync; {@code direct} opens the file with O_DIRECT and writes from a block-aligned buffer.
     */
    double sequential(long total, int chunk, boolean direct) throws IOException {
        ByteBuffer buffer = randomBuffer(chunk, 1);
        Path file = dir.resolve("disk-probe-sequential.bin");
        FileChannel ch = direct
                ? FileChannel.open(
                        file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)
                : FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (ch) {
            long started = System.nanoTime();
            for (long written = 0; written < total; written += chunk) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
            }
            ch.force(false);
            return total / ((System.nanoTime() - started) / 1e9) / 1e6;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * fdatasyncs per second when every {@code bytes}-sized append is synced on its own, for {@code millis}; each
     * fdatasync's time goes into {@code syncMicros}: its tail bounds any PERSISTED latency the store can promise.
     */
    double fsyncEach(int bytes, long millis, Histogram syncMicros) throws IOException {
        ByteBuffer buffer = randomBuffer(bytes, 2);
        Path file = dir.resolve("disk-probe-fsync.bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long started = System.nanoTime();
            long deadline = started + millis * 1_000_000;
            long syncs = 0;
            while (System.nanoTime() < deadline) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                long before = System.nanoTime();
                ch.force(false);
                syncMicros.recordValue(
                        Math.min(syncMicros.getHighestTrackableValue(), (System.nanoTime() - before) / 1000));
                syncs++;
            }
            return syncs / ((System.nanoTime() - started) / 1e9);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static ByteBuffer randomBuffer(int size, long seed) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return ByteBuffer.allocateDirect(size + ALIGN)
                .alignedSlice(ALIGN)
                .limit(size)
                .put(bytes)
                .flip();
    }
}
