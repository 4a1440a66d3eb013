package dev.doorbell.uplink.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.uplink.session.SessionRegistry;
import dev.doorbell.uplink.testing.InMemoryClipStore;
import dev.doorbell.uplink.testing.Messages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole pipeline (in its plaintext debug form) on an EmbeddedChannel: what reaches the wire for bad input. */
class UplinkServerInitializerTest {
    private final InMemoryClipStore store = new InMemoryClipStore();

    @AfterEach
    void closeStore() {
        store.close();
    }

    private EmbeddedChannel pipeline() {
        UplinkConfig config = UplinkConfig.builder()
                .insecurePlaintextForDebugging(true)
                .maxFrameBytes(1024)
                .maxMessageBytes(2048)
                .windowBytes(4096)
                .build();
        return new EmbeddedChannel(new UplinkServerInitializer(config, null, store, new SessionRegistry()));
    }

    private static List<UplinkMessage> written(EmbeddedChannel ch) throws IOException {
        List<UplinkMessage> out = new ArrayList<>();
        for (ByteBuf buf = ch.readOutbound(); buf != null; buf = ch.readOutbound()) {
            try (ByteBufInputStream in = new ByteBufInputStream(buf, true)) {
                UplinkMessage m;
                while ((m = UplinkMessage.parseDelimitedFrom(in)) != null) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    @Test
    void initChannel_everyStageNamed_inOrder() {
        EmbeddedChannel ch = pipeline();
        List<String> names = ch.pipeline().names();
        List<String> expected = List.of(
                PipelineNames.IDLE,
                PipelineNames.FRAME_DECODER,
                PipelineNames.MESSAGE_DECODER,
                PipelineNames.FRAME_ENCODER,
                PipelineNames.MESSAGE_ENCODER,
                PipelineNames.SESSION,
                PipelineNames.EXCEPTIONS);
        assertEquals(expected, names.subList(0, expected.size()));
        ch.finishAndReleaseAll();
    }

    @Test
    void read_lengthAboveMaximum_messageTooLargeThenClosed() throws IOException {
        EmbeddedChannel ch = pipeline();
        ByteBuf prefix = Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0x10}); // 2049
        ch.writeInbound(prefix);
        assertEquals(0, prefix.refCnt());
        List<UplinkMessage> out = written(ch);
        assertEquals(1, out.size());
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, out.get(0).getError().getCode());
        assertTrue(out.get(0).getError().getFatal());
        assertFalse(ch.isOpen(), "the connection must be closed after MESSAGE_TOO_LARGE");
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void read_garbageBody_malformedMessageThenClosed() throws IOException {
        EmbeddedChannel ch = pipeline();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {2, (byte) 0xff, (byte) 0xff}));
        List<UplinkMessage> out = written(ch);
        assertEquals(ErrorCode.MALFORMED_MESSAGE, out.get(0).getError().getCode());
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    @Test
    void read_plaintextHello_welcomeForClaimedId() throws IOException {
        EmbeddedChannel ch = pipeline();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Messages.hello("dev-a").writeDelimitedTo(bytes);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes.toByteArray()));
        List<UplinkMessage> out = written(ch);
        assertEquals("dev-a", out.get(0).getWelcome().getDeviceId());
        assertEquals(2048, out.get(0).getWelcome().getMaxMessageBytes());
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }
}
