package dev.doorbell.uplink.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.wire.BoundedVarint32FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hostile bytes against the two inbound decoders of every connection. Input layout: the first byte picks the size of
 * the pieces the stream arrives in (1 to 256 bytes), the rest is the stream. Invariants: only the three refusals the
 * session answers escape; the outcome does not depend on how the stream is split; after a framing refusal nothing
 * more is decoded; without a refusal the messages are those of an independent reading of the varint framing; every
 * buffer is released.
 *
 * <p>{@code mvn verify} replays the seeds in CodecFuzzTestInputs; {@code scripts/fuzz} mutates them for real.
 */
class CodecFuzzTest {
    private static final int MAX_MESSAGE_BYTES = 512;

    @FuzzTest(maxDuration = "30s")
    void decode_anyBytesAnySplit_messagesOrSpecificRefusal(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int piece = (input[0] & 0xff) + 1;
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);

        List<String> whole = decode(stream, stream.length + 1);
        List<String> split = decode(stream, piece);
        assertEquals(whole, split, "outcome depends on the split into pieces of " + piece + " bytes");

        int refusal = indexOfFramingRefusal(whole);
        if (refusal >= 0) {
            assertEquals(refusal, whole.size() - 1, "messages decoded after a framing refusal: " + whole);
        }
        if (whole.stream().noneMatch(event -> event.startsWith("!"))) {
            assertEquals(referenceFraming(stream), whole);
        }
    }

    /** Feeds the stream in pieces; returns the decoded messages and refusals ("!" + class name) in order. */
    private static List<String> decode(byte[] stream, int piece) {
        Recorder recorder = new Recorder();
        EmbeddedChannel channel = new EmbeddedChannel(
                new BoundedVarint32FrameDecoder(MAX_MESSAGE_BYTES), new DeviceMessageDecoder(), recorder);
        List<ByteBuf> fed = new ArrayList<>();
        for (int at = 0; at < stream.length; at += piece) {
            ByteBuf buf = Unpooled.copiedBuffer(stream, at, Math.min(piece, stream.length - at));
            fed.add(buf);
            channel.writeInbound(buf);
        }
        channel.finishAndReleaseAll();
        if (!recorder.unexpected.isEmpty()) {
            throw new AssertionError("unexpected exception from the decoders", recorder.unexpected.get(0));
        }
        for (ByteBuf buf : fed) {
            assertEquals(0, buf.refCnt(), "an inbound buffer was not released");
        }
        return recorder.events;
    }

    /**
     * The session's place in the pipeline: sees every message and every exception, in order. (EmbeddedChannel itself
     * would keep only the first exception of one write.)
     */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<String> events = new ArrayList<>();
        final List<Throwable> unexpected = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            assertTrue(message instanceof DeviceMessage, "decoded to " + message.getClass());
            events.add(message.toString());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof TooLongFrameException
                    || cause instanceof CorruptedFrameException
                    || cause instanceof MalformedMessageException)) {
                // Thrown from here, Netty would only log it.
                unexpected.add(cause);
            }
            events.add("!" + cause.getClass().getSimpleName());
        }
    }

    private static int indexOfFramingRefusal(List<String> events) {
        for (int i = 0; i < events.size(); i++) {
            String e = events.get(i);
            if (e.equals("!TooLongFrameException") || e.equals("!CorruptedFrameException")) {
                return i;
            }
        }
        return -1;
    }

    /** protobuf's own reading of writeDelimitedTo framing, stopping at an incomplete tail. */
    private static List<String> referenceFraming(byte[] stream) {
        List<String> out = new ArrayList<>();
        CodedInputStream in = CodedInputStream.newInstance(stream);
        try {
            while (!in.isAtEnd()) {
                int length = in.readRawVarint32();
                assertFalse(length < 0 || length > MAX_MESSAGE_BYTES, "a length of " + length + " was not refused");
                if (in.getTotalBytesRead() + length > stream.length) {
                    break;
                }
                out.add(DeviceMessage.parseFrom(in.readRawBytes(length)).toString());
            }
        } catch (InvalidProtocolBufferException e) {
            // A varint cut off by the end of the stream: the decoder waits for more bytes, and so does this reading.
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
