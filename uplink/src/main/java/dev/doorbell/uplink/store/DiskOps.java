package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The disk operations whose failure the store must survive: writing segments and checkpoints, syncing data and
 * syncing a directory. Tests override them to fail on demand against real files; everything else is plain file I/O.
 */
class DiskOps {
    static final DiskOps REAL = new DiskOps();

    /** Writes every remaining byte of {@code buffers} at the channel's position, in one gathering pass. */
    void write(FileChannel channel, ByteBuffer[] buffers) throws IOException {
        long remaining = 0;
        for (ByteBuffer buffer : buffers) {
            remaining += buffer.remaining();
        }
        while (remaining > 0) {
            remaining -= channel.write(buffers);
        }
    }

    /** Writes every remaining byte of {@code buffer} at {@code position}, leaving the channel's own position alone. */
    void write(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /**
     * Writes one checkpoint slot at {@code position} of the checkpoint file, which is open with O_DSYNC: durable when
     * this returns. Apart from {@link #write(FileChannel, ByteBuffer, long)} so that tests can fail either alone.
     */
    void writeCheckpoint(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /** fdatasync: the data and the metadata needed to read it back (the file size). */
    void force(FileChannel channel) throws IOException {
        channel.force(false);
    }

    /** Makes the entries of a directory (files created, renamed or removed in it) durable. */
    void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
