package dev.doorbell.uplink.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
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

    /**
     * The durable frame {@code seq} of a clip, found by reading segments {@code first} to {@code last} (where the
     * clip's records lie) from their start; null when none of them holds it. For a closed clip whose frame locations
     * the index no longer keeps: slower than {@link #read}, and rare.
     */
    StoredFrame findFrame(String deviceId, long clipId, int seq, long first, long last) throws IOException {
        if (closed) {
            throw new IOException("store reads are closed");
        }
        StoredFrame[] found = new StoredFrame[1];
        for (long segment = first; segment <= last && found[0] == null; segment++) {
            Path file = dir.resolve(SegmentFormat.segmentName(segment));
            if (!Files.exists(file)) {
                continue;
            }
            SegmentScanner.scan(file, segment, segment == last, -1, false, (offset, length, record) -> {
                if (found[0] == null
                        && record.hasFrame()
                        && record.getFrame().getSeq() == seq
                        && record.getFrame().getClipId() == clipId
                        && record.getFrame().getDeviceId().equals(deviceId)) {
                    found[0] = record.getFrame();
                }
            });
        }
        return found[0];
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
