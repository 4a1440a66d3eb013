package dev.doorbell.uplink.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.StoredRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads single records back by location, for comparing a resent frame with the durable one and for {@link
 * StoreReader}. Thread-safe: one read-only channel per segment, positional reads only.
 */
final class SegmentReads implements AutoCloseable {
    private final Path dir;
    private final Map<Long, FileChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    SegmentReads(Path segmentsDir) {
        this.dir = segmentsDir;
    }

    /** The record framed at {@code offset}, checked against its length and CRC32C. */
    StoredRecord read(long segment, long offset, int length) throws IOException {
        if (closed) {
            throw new IOException("store reads are closed");
        }
        String name = SegmentFormat.segmentName(segment);
        byte[] framed = SegmentScanner.read(channel(segment), offset, length);
        ByteBuffer head = ByteBuffer.wrap(framed, 0, SegmentFormat.RECORD_HEADER_BYTES);
        int bodyLength = length - SegmentFormat.RECORD_HEADER_BYTES;
        if (head.getInt(0) != bodyLength
                || head.getInt(4) != SegmentFormat.crc32c(framed, SegmentFormat.RECORD_HEADER_BYTES, bodyLength)) {
            throw new StoreCorruptedException(name, offset, "record changed on disk since it was written");
        }
        try {
            return StoredRecord.parseFrom(ByteBuffer.wrap(framed, SegmentFormat.RECORD_HEADER_BYTES, bodyLength));
        } catch (InvalidProtocolBufferException e) {
            throw new StoreCorruptedException(name, offset, "record body is not a StoredRecord");
        }
    }

    private FileChannel channel(long segment) throws IOException {
        try {
            return channels.computeIfAbsent(segment, n -> {
                try {
                    return FileChannel.open(dir.resolve(SegmentFormat.segmentName(n)), StandardOpenOption.READ);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Retention replaced or removed the segment: the next read opens the file now in place. */
    void forget(long segment) throws IOException {
        FileChannel channel = channels.remove(segment);
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        IOException first = null;
        for (FileChannel channel : channels.values()) {
            try {
                channel.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        channels.clear();
        if (first != null) {
            throw first;
        }
    }
}
