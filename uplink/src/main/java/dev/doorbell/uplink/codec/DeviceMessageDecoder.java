package dev.doorbell.uplink.codec;

import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.DeviceMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.util.List;

/**
 * Parses one framed body as a {@link DeviceMessage}. Unlike Netty's generic {@code ProtobufDecoder}, a parse failure
 * surfaces as a {@link MalformedMessageException} that names the size, so the session can answer MALFORMED_MESSAGE
 * without guessing at a wrapped cause. The parser reads the buffer in place; the sealed bytes inside are copied once
 * into the message, never inspected.
 */
@Sharable
public final class DeviceMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
  public DeviceMessageDecoder() {
    super(ByteBuf.class);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf body, List<Object> out) {
    int size = body.readableBytes();
    try (ByteBufInputStream stream = new ByteBufInputStream(body)) {
      out.add(DeviceMessage.parseFrom(stream, ExtensionRegistryLite.getEmptyRegistry()));
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedMessageException("message of " + size + " bytes is not a DeviceMessage: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new MalformedMessageException("message of " + size + " bytes could not be read: " + e.getMessage(), e);
    }
  }
}
