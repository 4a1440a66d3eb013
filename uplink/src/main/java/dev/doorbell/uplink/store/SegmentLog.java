package dev.doorbell.uplink.store;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment being appended to, and the store's checkpoint. Used by the writer thread (and by open, before that
 * thread starts), except for {@link #force} and {@link #commit}, which the syncer calls for what was written before.
 * A new segment is made as a temporary file holding the magic and its start record (which names the segment before
 * it and that segment's committed length and records), fsync'd, renamed into place, and the directory fsync'd: a
 * segment name that survives a crash always names a whole, valid segment. Then the checkpoint names it.
 *
 * <p>Batches are written with direct I/O (O_DIRECT) when the file system allows it: the data goes from the writer's
 * one reused buffer to the disk, without a copy into the page cache, whose fresh pages cost more than the disk here.
 * Direct writes cover whole blocks, so each batch starts at the block boundary below the end of the log and carries
 * that block's bytes again, and ends with zeros up to the next boundary. Those zeros are cut when the segment is
 * closed or rolled; after a crash recovery cuts them like a torn tail (docs/FORMAT.md §6). Where O_DIRECT is refused
 * (some file systems), batches go through the page cache at the end of the log, with the same fsyncs.
 *
 * <p>Committed: what the last checkpoint covers. Nothing is acknowledged beyond it, and after a failure the segment
 * is cut back to it.
 */
final class SegmentLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SegmentLog.class);
    private static final int MIN_BLOCK = 4096;
    private static final int MIN_BUFFER = 1 << 20;

    private final Path dir;
    private final DiskOps ops;
    private final int block;
    private final Clock clock;
    private final CheckpointFile checkpoint;
    private boolean direct;
    private long nextNumber;
    /** What the first new segment's start record names, before there is a current segment ({@link StoreScan.Chain}). */
    private final StoreScan.Chain previous;

    private long number;
    private volatile FileChannel channel;
    private long position;
    private long records;
    /** When the current segment was started or, for one continued at start, resumed: its age for a roll by age. */
    private long startedNanos = System.nanoTime();

    private volatile long committedLength;
    private volatile long committedRecords;
    /** Direct I/O: the bytes of the last partial block, [alignDown(position), position), written again next time. */
    private byte[] tail = new byte[0];

    private ByteBuffer buffer;

    SegmentLog(
            Path segmentsDir,
            DiskOps ops,
            long nextNumber,
            boolean directIo,
            Clock clock,
            CheckpointFile checkpoint,
            StoreScan.Chain previous)
            throws IOException {
        this.dir = segmentsDir;
        this.ops = ops;
        this.nextNumber = nextNumber;
        this.direct = directIo;
        this.clock = clock;
        this.checkpoint = checkpoint;
        this.previous = previous;
        this.block = (int) Math.max(
                MIN_BLOCK, Math.min(1 << 16, Files.getFileStore(segmentsDir).getBlockSize()));
    }

    /**
     * Continues the newest segment found on open, whose valid records end at {@code size}: makes all of it durable
     * (records past the old checkpoint were written but maybe not fsync'd before a crash) and checkpoints it.
     */
    void resume(long segmentNumber, long size, long recordCount) throws IOException {
        channel = openForAppend(dir.resolve(SegmentFormat.segmentName(segmentNumber)));
        ops.force(channel);
        number = segmentNumber;
        position = size;
        records = recordCount;
        tail = direct ? readTail(dir.resolve(SegmentFormat.segmentName(segmentNumber)), size) : new byte[0];
        nextNumber = Math.max(nextNumber, segmentNumber + 1);
        startedNanos = System.nanoTime();
        checkpoint.write(segmentNumber, size, recordCount);
        committedLength = size;
        committedRecords = recordCount;
    }

    /**
     * Starts the next segment and checkpoints it; on success the previous one (fully durable, its padding cut) is
     * closed. A number is used up only once its segment is in place, so segment numbers never skip.
     */
    void startNew() throws IOException {
        trimPadding();
        long candidate = nextNumber;
        String name = SegmentFormat.segmentName(candidate);
        StoreScan.Chain before = channel != null || number > 0
                ? new StoreScan.Chain(number, committedLength, committedRecords)
                : previous;
        ByteBuffer start = ByteBuffer.allocate(1024);
        int startLength = SegmentFormat.frameInto(
                start.put(SegmentFormat.MAGIC),
                SegmentFormat.startRecord(
                        candidate, before.segment(), before.length(), before.records(), clock.millis()));
        start.flip();
        Path temp = dir.resolve(name + ".tmp");
        Path target = dir.resolve(name);
        try (FileChannel created =
                StoreFiles.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ops.write(created, new ByteBuffer[] {start.duplicate()});
            ops.force(created);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            ops.forceDirectory(dir);
        } catch (IOException e) {
            // Not in place for sure: this number is made again next time, over whatever is left of it.
            try {
                Files.deleteIfExists(temp);
                Files.deleteIfExists(target);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        nextNumber = candidate + 1;
        FileChannel appending = openForAppend(target);
        closeChannel();
        channel = appending;
        number = candidate;
        long end = (long) SegmentFormat.MAGIC.length + startLength;
        position = end;
        records = 1;
        startedNanos = System.nanoTime();
        committedLength = end;
        committedRecords = 1;
        byte[] written = new byte[(int) end];
        start.get(0, written);
        tail = direct ? written : new byte[0];
        checkpoint.write(candidate, end, 1);
        log.info("store segment {} started ({} I/O)", name, direct ? "direct" : "buffered");
    }

    /**
     * True when a batch of {@code bytes} must go to a new segment first. A segment holding only its start record takes
     * any batch: a batch larger than a segment never leaves an empty one behind.
     */
    boolean needsRoll(long bytes, long segmentBytes) {
        return records > 1 && position + bytes > segmentBytes;
    }

    /**
     * Nanoseconds until the current segment is {@code maxAge} old, counted from when it was started or resumed: at most
     * 0 when it is due for a roll by age, {@link Long#MAX_VALUE} when it cannot be (rolling by age is off, or the
     * segment holds no record but its start record: a roll would only leave an empty segment behind).
     */
    long nanosUntilAged(Duration maxAge, long now) {
        if (maxAge.isZero() || records <= 1 || channel == null) {
            return Long.MAX_VALUE;
        }
        return startedNanos + maxAge.toNanos() - now;
    }

    long number() {
        return number;
    }

    /** Where the next record starts: the end of the records written so far. */
    long position() {
        return position;
    }

    /**
     * The writer's reused buffer, with room for {@code recordBytes} more, positioned where the next batch's records
     * go (after the carried tail block bytes in direct mode). Fill it, then {@link #append} it.
     */
    ByteBuffer batchBuffer(long recordBytes) {
        long needed = tail.length + recordBytes + block;
        if (needed > Integer.MAX_VALUE - block) {
            throw new IllegalStateException("a batch of " + recordBytes + " bytes does not fit one buffer");
        }
        if (buffer == null || buffer.capacity() < needed) {
            int capacity = (int) Math.min(
                    Integer.MAX_VALUE - block, Math.max(needed, buffer == null ? MIN_BUFFER : 2L * buffer.capacity()));
            buffer = ByteBuffer.allocateDirect(capacity + block).alignedSlice(block);
        }
        return buffer.clear().put(tail);
    }

    /**
     * Writes the {@code count} records put into {@link #batchBuffer} since it was handed out; durable only after
     * {@link #force}, acknowledged only after {@link #commit}.
     */
    void append(ByteBuffer filled, int count) throws IOException {
        int end = filled.position();
        long recordBytes = (long) end - tail.length;
        long start = position - tail.length;
        if (direct) {
            int padded = (int) alignUp(end);
            filled.limit(padded);
            while (filled.position() < padded) {
                filled.put((byte) 0);
            }
            ops.write(channel, filled.position(0), start);
            long newPosition = position + recordBytes;
            int keep = (int) (newPosition - alignDown(newPosition));
            tail = new byte[keep];
            buffer.get(end - keep, tail);
            position = newPosition;
        } else {
            ops.write(channel, filled.flip(), start);
            position += recordBytes;
        }
        records += count;
    }

    /** Records written to the current segment so far, its start record included. */
    long records() {
        return records;
    }

    /**
     * fdatasync: the data and the metadata needed to read it back (the file size), for everything written before the
     * call. Called by the syncer thread while the writer may append more (never while it rolls or abandons the
     * segment).
     */
    void force() throws IOException {
        ops.force(channel);
    }

    /**
     * After {@link #force} returned: the checkpoint now covers segment {@code segment} up to {@code length} with
     * {@code recordCount} records, durably. Only then may they be acknowledged. Called by the syncer thread.
     */
    void commit(long segment, long length, long recordCount) throws IOException {
        checkpoint.write(segment, length, recordCount);
        committedLength = length;
        committedRecords = recordCount;
    }

    /**
     * Gives up the current segment after a failed write, fsync or checkpoint: cuts whatever follows what the last
     * checkpoint covers, so that no half-written or unacknowledged record stays in a segment that later ones follow,
     * makes that cut durable, and closes the file. The writer never appends to an abandoned segment again; the next
     * segment's start record names what was committed. Safe to call again after it failed.
     */
    void abandon() throws IOException {
        if (channel == null) {
            return;
        }
        if (channel.size() != committedLength) {
            channel.truncate(committedLength);
            ops.force(channel);
            log.warn(
                    "store segment {} abandoned and cut back to {} committed bytes",
                    SegmentFormat.segmentName(number),
                    committedLength);
        }
        position = committedLength;
        records = committedRecords;
        closeChannel();
    }

    /** Cuts the padding of direct writes, when everything written is committed, and closes the files. */
    @Override
    public void close() throws IOException {
        try {
            trimPadding();
        } finally {
            try {
                closeChannel();
            } finally {
                checkpoint.close();
            }
        }
    }

    private void trimPadding() throws IOException {
        if (channel != null && position == committedLength && channel.size() > position) {
            channel.truncate(position);
            ops.force(channel);
        }
    }

    private FileChannel openForAppend(Path file) throws IOException {
        if (direct) {
            try {
                return FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            } catch (IOException | UnsupportedOperationException e) {
                direct = false;
                log.info("store uses buffered I/O: direct I/O is not available in {} ({})", dir, e.toString());
            }
        }
        return FileChannel.open(file, StandardOpenOption.WRITE);
    }

    /** Direct reads need aligned buffers too; the few tail bytes are read through the page cache instead. */
    private byte[] readTail(Path file, long size) throws IOException {
        try (FileChannel reading = FileChannel.open(file, StandardOpenOption.READ)) {
            return SegmentScanner.read(reading, alignDown(size), (int) (size - alignDown(size)));
        }
    }

    private long alignDown(long offset) {
        return offset - offset % block;
    }

    private long alignUp(long offset) {
        return alignDown(offset + block - 1);
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            FileChannel closing = channel;
            channel = null;
            closing.close();
        }
    }
}
