package dev.doorbell.uplink.codec;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.DeviceMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.io.IOException;
import java.util.List;

/**
 * Parses one framed body as a {@link DeviceMessage}. Unlike Netty's generic {@code ProtobufDecoder}, a parse failure
 * surfaces as a {@link MalformedMessageException} that names the size, so the session can answer MALFORMED_MESSAGE
 * without guessing at a wrapped cause. The body is copied once out of the pooled buffer into an array that the
 * parsed message then shares: with aliasing on, the sealed bytes are a view of that array, not a second copy (the
 * array is never written again, so the message stays immutable). The sealed bytes are never inspected.
 */
@Sharable
public final class DeviceMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    public DeviceMessageDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf body, List<Object> out) {
        byte[] bytes = ByteBufUtil.getBytes(body);
        try {
            CodedInputStream input = CodedInputStream.newInstance(bytes);
            input.enableAliasing(true);
            out.add(DeviceMessage.parseFrom(input, ExtensionRegistryLite.getEmptyRegistry()));
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedMessageException(
                    "message of " + bytes.length + " bytes is not a DeviceMessage: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MalformedMessageException(
                    "message of " + bytes.length + " bytes could not be read: " + e.getMessage(), e);
        }
    }
}
