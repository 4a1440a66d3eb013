package dev.doorbell.device.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Cuts the inbound stream into messages prefixed by a protobuf varint32 length (what {@code writeDelimitedTo}
 * writes). A prefix above the maximum is refused as soon as the prefix is read, before any of the message is
 * buffered: the channel is closed and a {@link TooLongFrameException} is raised. A prefix longer than five bytes is
 * a {@link CorruptedFrameException}, also closing the channel. After either, all further input is discarded.
 *
 * <p>Netty's ProtobufVarint32FrameDecoder has no maximum, which lets one hostile length prefix exhaust memory.
 */
public final class BoundedVarint32FrameDecoder extends ByteToMessageDecoder {
  private static final int MAX_PREFIX_BYTES = 5;

  private final int maxMessageBytes;
  private boolean failed;

  public BoundedVarint32FrameDecoder(int maxMessageBytes) {
    if (maxMessageBytes <= 0) {
      throw new IllegalArgumentException("maxMessageBytes must be positive, got " + maxMessageBytes);
    }
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int start = in.readerIndex();
    long length = 0;
    for (int n = 0; ; n++) {
      if (n == MAX_PREFIX_BYTES) {
        throw fail(ctx, in, new CorruptedFrameException("length prefix longer than " + MAX_PREFIX_BYTES + " bytes"));
      }
      if (!in.isReadable()) {
        in.readerIndex(start);
        return;
      }
      byte b = in.readByte();
      length |= (long) (b & 0x7f) << (7 * n);
      if ((b & 0x80) == 0) {
        break;
      }
    }
    if (length > maxMessageBytes) {
      throw fail(ctx, in, new TooLongFrameException(
          "message of " + length + " bytes exceeds the maximum of " + maxMessageBytes + " bytes"));
    }
    if (in.readableBytes() < length) {
      in.readerIndex(start);
      return;
    }
    out.add(in.readRetainedSlice((int) length));
  }

  private RuntimeException fail(ChannelHandlerContext ctx, ByteBuf in, RuntimeException e) {
    failed = true;
    in.skipBytes(in.readableBytes());
    ctx.close();
    return e;
  }
}
