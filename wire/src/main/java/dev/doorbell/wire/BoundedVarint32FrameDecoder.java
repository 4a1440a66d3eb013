package dev.doorbell.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the inbound stream at protobuf varint32 length prefixes (what {@code writeDelimitedTo} writes), with a hard
 * upper bound. Netty's own {@code ProtobufVarint32FrameDecoder} has no bound: one hostile prefix would make it
 * buffer up to 2 GiB. Here a length above the maximum is refused as soon as its prefix has been read, before any
 * byte of the body is kept, and so is a prefix longer than five bytes.
 *
 * <p>After a refusal the stream cannot be re-synchronised, so every later byte is dropped unread; the handler
 * that sees the exception answers with an error and closes the connection.
 */
public final class BoundedVarint32FrameDecoder extends ByteToMessageDecoder {
    private static final int MAX_PREFIX_BYTES = 5;

    private final int maxMessageBytes;
    private boolean refused;

    public BoundedVarint32FrameDecoder(int maxMessageBytes) {
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be positive: " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        long length = 0;
        int prefixBytes = 0;
        while (true) {
            if (!in.isReadable()) {
                in.readerIndex(start);
                return;
            }
            byte b = in.readByte();
            length |= (long) (b & 0x7f) << (7 * prefixBytes);
            prefixBytes++;
            if ((b & 0x80) == 0) {
                break;
            }
            if (prefixBytes == MAX_PREFIX_BYTES) {
                throw refuse(in, new CorruptedFrameException("malformed length prefix: more than 5 varint bytes"));
            }
        }
        if (length > maxMessageBytes) {
            throw refuse(
                    in,
                    new TooLongFrameException(
                            "message of " + length + " bytes refused: the maximum is " + maxMessageBytes + " bytes"));
        }
        if (in.readableBytes() < length) {
            in.readerIndex(start);
            return;
        }
        out.add(in.readRetainedSlice((int) length));
    }

    private RuntimeException refuse(ByteBuf in, RuntimeException reason) {
        refused = true;
        in.skipBytes(in.readableBytes());
        return reason;
    }
}
