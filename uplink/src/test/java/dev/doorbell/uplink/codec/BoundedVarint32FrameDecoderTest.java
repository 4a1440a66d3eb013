package dev.doorbell.uplink.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.wire.BoundedVarint32FrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedVarint32FrameDecoderTest {
    private static final int MAX = 4096;

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new BoundedVarint32FrameDecoder(MAX), new DeviceMessageDecoder());
    }

    private static byte[] delimited(DeviceMessage... messages) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (DeviceMessage m : messages) {
            m.writeDelimitedTo(out);
        }
        return out.toByteArray();
    }

    @Test
    void decode_prefixAboveMaximum_refusedBeforeBodyArrives() {
        EmbeddedChannel ch = new EmbeddedChannel(new BoundedVarint32FrameDecoder(MAX));
        ByteBuf prefix = Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0x20}); // 4097
        TooLongFrameException e = assertThrows(TooLongFrameException.class, () -> ch.writeInbound(prefix));
        assertTrue(e.getMessage().contains("4097"), e.getMessage());
        assertEquals(0, prefix.refCnt(), "the prefix buffer must be released");
        ByteBuf body = Unpooled.wrappedBuffer(new byte[5000]);
        assertFalse(ch.writeInbound(body), "everything after a refusal is dropped");
        assertEquals(0, body.refCnt());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void decode_prefixOfSixBytes_corruptedFrame() {
        EmbeddedChannel ch = new EmbeddedChannel(new BoundedVarint32FrameDecoder(MAX));
        ByteBuf garbage = Unpooled.wrappedBuffer(new byte[] {-1, -1, -1, -1, -1, -1, 1});
        assertThrows(CorruptedFrameException.class, () -> ch.writeInbound(garbage));
        assertEquals(0, garbage.refCnt());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void decode_exactlyMaximum_accepted() {
        EmbeddedChannel ch = new EmbeddedChannel(new BoundedVarint32FrameDecoder(MAX));
        ByteBuf in = Unpooled.buffer().writeByte(0x80).writeByte(0x20).writeZero(MAX); // 4096
        assertTrue(ch.writeInbound(in));
        ByteBuf frame = ch.readInbound();
        assertEquals(MAX, frame.readableBytes());
        frame.release();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void decode_garbageBody_malformedMessage() {
        EmbeddedChannel ch = channel();
        ByteBuf in = Unpooled.wrappedBuffer(new byte[] {3, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertThrows(MalformedMessageException.class, () -> ch.writeInbound(in));
        assertEquals(0, in.refCnt());
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void decode_truncatedMessage_waitsAndYieldsNothing() throws IOException {
        byte[] whole = delimited(Messages.frame(1, 0, false, 300, 0));
        EmbeddedChannel ch = channel();
        assertFalse(ch.writeInbound(Unpooled.wrappedBuffer(whole, 0, whole.length - 1)));
        assertNull(ch.readInbound());
        assertFalse(ch.finishAndReleaseAll(), "a truncated message yields nothing, and its bytes are released");
    }

    @Test
    void decode_streamSplitAtEveryPosition_sameMessagesInOrder() throws IOException {
        DeviceMessage[] sent = {
            Messages.hello("dev-a", 1, 2),
            Messages.clipOpen("dev-a", 1),
            Messages.frame(1, 0, false, 200, 0),
            Messages.ping(7),
            Messages.frame(1, 1, true, 0, 0),
            Messages.clipClose(1, 2)
        };
        byte[] stream = delimited(sent);
        for (int split = 0; split <= stream.length; split++) {
            EmbeddedChannel ch = channel();
            ch.writeInbound(Unpooled.wrappedBuffer(stream, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(stream, split, stream.length - split));
            List<DeviceMessage> got = new ArrayList<>();
            for (DeviceMessage m = ch.readInbound(); m != null; m = ch.readInbound()) {
                got.add(m);
            }
            assertEquals(List.of(sent), got, "split at " + split);
            assertFalse(ch.finishAndReleaseAll());
        }
    }

    @Test
    void decode_oneByteAtATime_sameBytes() throws IOException {
        DeviceMessage frame = Messages.frame(5, 3, false, 1000, 9);
        byte[] stream = delimited(frame, frame);
        EmbeddedChannel ch = channel();
        for (byte b : stream) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        for (int i = 0; i < 2; i++) {
            DeviceMessage got = ch.readInbound();
            assertArrayEquals(
                    frame.getFrame().getSealed().toByteArray(),
                    got.getFrame().getSealed().toByteArray());
        }
        assertFalse(ch.finishAndReleaseAll());
    }
}
