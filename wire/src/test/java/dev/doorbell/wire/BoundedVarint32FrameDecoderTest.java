package dev.doorbell.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one frame decoder of both ends. It refuses and raises; what happens next is the pipeline's choice (the uplink
 * answers with an Error and closes, a device's link closes): tests of that live with each end.
 */
class BoundedVarint32FrameDecoderTest {

    private static byte[] delimited(byte[]... messages) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            // The varint32 prefix of protobuf's writeDelimitedTo: seven bits a byte, low bits first.
            int length = m.length;
            while ((length & ~0x7f) != 0) {
                out.write((length & 0x7f) | 0x80);
                length >>>= 7;
            }
            out.write(length);
            out.write(m);
        }
        return out.toByteArray();
    }

    private static List<byte[]> readAll(EmbeddedChannel ch) {
        List<byte[]> out = new ArrayList<>();
        for (ByteBuf b = ch.readInbound(); b != null; b = ch.readInbound()) {
            out.add(ByteBufUtil.getBytes(b));
            b.release();
        }
        return out;
    }

    @Test
    void decode_splitAtEveryBytePosition_yieldsTheSameMessages() throws Exception {
        Random random = new Random(5);
        byte[] a = new byte[0];
        byte[] b = new byte[300];
        byte[] c = new byte[17];
        random.nextBytes(b);
        random.nextBytes(c);
        byte[] stream = delimited(a, b, c);
        for (int split = 0; split <= stream.length; split++) {
            EmbeddedChannel ch = new EmbeddedChannel(new BoundedVarint32FrameDecoder(1000));
            ch.writeInbound(Unpooled.wrappedBuffer(stream, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(stream, split, stream.length - split));
            List<byte[]> got = readAll(ch);
            assertEquals(3, got.size(), "split at " + split);
            assertArrayEquals(a, got.get(0));
            assertArrayEquals(b, got.get(1));
            assertArrayEquals(c, got.get(2));
            assertFalse(ch.finish());
        }
    }

    @Test
    void decode_prefixAboveMaximum_throwsTooLongBeforeBufferingAndDropsTheRest() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new BoundedVarint32FrameDecoder(100));
        byte[] prefixOnly = delimited(new byte[101]);
        ByteBuf justThePrefix = Unpooled.wrappedBuffer(prefixOnly, 0, 1);

        assertThrows(TooLongFrameException.class, () -> ch.writeInbound(justThePrefix));
        assertEquals(0, justThePrefix.refCnt());
        assertNull(ch.readInbound());
        // The stream cannot be resynchronised: a valid message after the refusal is dropped unread, and released.
        ByteBuf after = Unpooled.wrappedBuffer(delimited(new byte[3]));
        ch.writeInbound(after);
        assertEquals(0, after.refCnt());
        assertNull(ch.readInbound());
    }

    @Test
    void decode_messageAtMaximum_isAccepted() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new BoundedVarint32FrameDecoder(100));
        ch.writeInbound(Unpooled.wrappedBuffer(delimited(new byte[100])));
        assertEquals(100, readAll(ch).get(0).length);
    }

    @Test
    void decode_prefixOfSixBytes_throwsCorruptedAndDropsTheRest() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new BoundedVarint32FrameDecoder(Integer.MAX_VALUE));
        ByteBuf bad = Unpooled.wrappedBuffer(
                new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});

        assertThrows(CorruptedFrameException.class, () -> ch.writeInbound(bad));
        assertEquals(0, bad.refCnt());
        ByteBuf after = Unpooled.wrappedBuffer(delimited(new byte[3]));
        ch.writeInbound(after);
        assertEquals(0, after.refCnt());
        assertNull(ch.readInbound());
    }

    @Test
    void constructor_maximumBelowOne_refused() {
        assertThrows(IllegalArgumentException.class, () -> new BoundedVarint32FrameDecoder(0));
    }
}
