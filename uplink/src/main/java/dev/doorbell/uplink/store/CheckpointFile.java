package dev.doorbell.uplink.store;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * {@code STORE/checkpoint}: two slots of 4096 bytes, written in turn, each holding one {@link Checkpoint} with its
 * CRC32C (docs/FORMAT.md §6). A write that tears or fails damages one slot; the other still holds the checkpoint
 * before it. Writes are synchronous (O_DSYNC, and O_DIRECT where the file system allows it): when {@link #write}
 * returns, the checkpoint is durable.
 *
 * <p>A failed write does not use up its sequence number: the next attempt goes to the same slot again, so the last
 * good checkpoint in the other slot survives any number of failures.
 */
final class CheckpointFile implements AutoCloseable {
    static final int SLOT_BYTES = 4096;
    static final int FILE_BYTES = 2 * SLOT_BYTES;
    static final byte[] MAGIC = "DBCKPT01".getBytes(StandardCharsets.US_ASCII);
    private static final int CRC_OFFSET = 40;

    /** What the file holds: the valid slots' checkpoints (null where a slot is not valid). */
    record Contents(boolean exists, long size, Checkpoint[] slots) {
        /**
         * The valid slot with the higher sequence, or null. Equal sequences (which the uplink never writes): the slot at
         * (sequence mod 2) × 4096, so that every reader takes the same one.
         */
        Checkpoint latest() {
            Checkpoint first = slots[0];
            Checkpoint second = slots[1];
            if (first == null || second == null) {
                return first == null ? second : first;
            }
            int order = Long.compareUnsigned(first.sequence(), second.sequence());
            return order > 0 ? first : order < 0 ? second : slots[(int) (first.sequence() & 1)];
        }

        /** Why there is no valid checkpoint, for a finding; null when there is one. */
        String problem() {
            if (!exists) {
                return "the checkpoint file is missing";
            }
            if (latest() != null) {
                return null;
            }
            return size < FILE_BYTES
                    ? "the checkpoint file holds " + size + " of " + FILE_BYTES + " bytes and no valid slot"
                    : "neither checkpoint slot is valid (magic or CRC32C)";
        }
    }

    private final Path file;
    private final DiskOps ops;
    private final ByteBuffer buffer;
    /** Whether the file there holds two whole slots and one valid checkpoint, so that it is written in place. */
    private boolean reusable;

    private FileChannel channel;
    private long sequence;

    private CheckpointFile(Path file, DiskOps ops, boolean reusable, long lastSequence) {
        this.file = file;
        this.ops = ops;
        this.reusable = reusable;
        this.sequence = lastSequence;
        this.buffer = ByteBuffer.allocateDirect(2 * SLOT_BYTES).alignedSlice(SLOT_BYTES);
    }

    /**
     * The checkpoint of the store in {@code storeDir}. When {@code found} (what is there now; null when it is not to
     * be trusted, as in a v1 store) holds a valid checkpoint in a whole file, checkpoints are written in place after
     * it; otherwise the first write makes a new file.
     */
    static CheckpointFile forStore(Path storeDir, Contents found, DiskOps ops) {
        Checkpoint latest = found == null ? null : found.latest();
        return new CheckpointFile(
                storeDir.resolve(SegmentFormat.CHECKPOINT_FILE),
                ops,
                latest != null && found.size() == FILE_BYTES,
                latest == null ? 0 : latest.sequence());
    }

    static Contents read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Contents(false, 0, new Checkpoint[2]);
        }
        byte[] bytes = Files.readAllBytes(file);
        Checkpoint[] slots = new Checkpoint[2];
        for (int slot = 0; slot < 2; slot++) {
            if (bytes.length >= (slot + 1) * SLOT_BYTES) {
                slots[slot] = decode(
                        ByteBuffer.wrap(bytes, slot * SLOT_BYTES, SLOT_BYTES).slice());
            }
        }
        return new Contents(true, bytes.length, slots);
    }

    /**
     * A new checkpoint file holding {@code first}, made as a temporary file, fsync'd, renamed over whatever is there
     * and the directory fsync'd: a crash leaves the old file or the whole new one.
     */
    private void create(Checkpoint first) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        ByteBuffer bytes = ByteBuffer.allocate(FILE_BYTES);
        encode(first, bytes.slice(slot(first.sequence()), SLOT_BYTES));
        try (FileChannel created =
                StoreFiles.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ops.write(created, new ByteBuffer[] {bytes});
            ops.force(created);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ops.forceDirectory(file.getParent());
    }

    private static FileChannel openInPlace(Path file) throws IOException {
        // Direct writes must be whole blocks of the file system; a slot is one block only where blocks are 4 KiB or
        // less.
        if (Files.getFileStore(file).getBlockSize() <= SLOT_BYTES) {
            try {
                return FileChannel.open(
                        file,
                        Set.<OpenOption>of(
                                StandardOpenOption.WRITE, StandardOpenOption.DSYNC, ExtendedOpenOption.DIRECT));
            } catch (IOException | UnsupportedOperationException e) {
                // Not every file system takes O_DIRECT (tmpfs does not): O_DSYNC alone is as durable.
            }
        }
        return FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.DSYNC);
    }

    /** Writes the next checkpoint; durable when this returns. */
    synchronized Checkpoint write(long segment, long length, long records) throws IOException {
        Checkpoint next = new Checkpoint(sequence + 1, segment, length, records);
        if (channel == null) {
            if (!reusable) {
                create(next);
                sequence = next.sequence();
                reusable = true;
                channel = openInPlace(file);
                return next;
            }
            channel = openInPlace(file);
        }
        buffer.clear().limit(SLOT_BYTES);
        encode(next, buffer);
        buffer.position(0);
        ops.writeCheckpoint(channel, buffer, slot(next.sequence()));
        sequence = next.sequence();
        return next;
    }

    synchronized long sequence() {
        return sequence;
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** The bytes of a whole checkpoint file holding {@code only}, in its slot, the other slot zero. */
    static byte[] fileBytes(Checkpoint only) {
        ByteBuffer bytes = ByteBuffer.allocate(FILE_BYTES);
        encode(only, bytes.slice(slot(only.sequence()), SLOT_BYTES));
        return bytes.array();
    }

    private static int slot(long sequence) {
        return (int) (sequence & 1) * SLOT_BYTES;
    }

    /** Writes a whole slot (the checkpoint, its CRC32C, then zeros) at the buffer's positions 0..4095. */
    private static void encode(Checkpoint c, ByteBuffer slot) {
        for (int i = 0; i < SLOT_BYTES; i++) {
            slot.put(i, (byte) 0);
        }
        slot.put(0, MAGIC)
                .putLong(8, c.sequence())
                .putLong(16, c.segment())
                .putLong(24, c.length())
                .putLong(32, c.records());
        CRC32C crc = new CRC32C();
        crc.update(slot.duplicate().position(0).limit(CRC_OFFSET));
        slot.putInt(CRC_OFFSET, (int) crc.getValue());
    }

    private static Checkpoint decode(ByteBuffer slot) {
        byte[] magic = new byte[MAGIC.length];
        slot.get(0, magic);
        if (!Arrays.equals(magic, MAGIC)) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(slot.duplicate().position(0).limit(CRC_OFFSET));
        if ((int) crc.getValue() != slot.getInt(CRC_OFFSET)) {
            return null;
        }
        return new Checkpoint(slot.getLong(8), slot.getLong(16), slot.getLong(24), slot.getLong(32));
    }
}
