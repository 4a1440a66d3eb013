package dev.doorbell.device.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.device.link.FakeUplink.SessionPlan;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Frame;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The uplink loses the connection, and with it whatever it had not persisted; the client resumes. */
class LinkClientResumeTest extends LinkTestBase {

    @Test
    void reconnect_droppedMidClip_resendsExactlyTheUnpersistedFramesWithIdenticalBytes() throws Exception {
        up.plan(SessionPlan.dropAfter(8, 5, true));
        TestClip clip = TestClip.of(DEVICE, 21, 12, 700);
        LinkClient client = client();
        clip.enqueue(client);
        client.start();
        client.drain(WAIT).get();

        List<DeviceMessage> second = up.session(1);
        assertEquals(List.of(21L), second.get(0).getHello().getOpenClipsList());
        assertFalse(second.stream().anyMatch(DeviceMessage::hasClipOpen), "the uplink knew the clip");
        List<Frame> resent = frames(second, 21);
        assertEquals(
                IntStream.range(5, 12).boxed().toList(),
                resent.stream().map(Frame::getSeq).toList());
        List<Frame> first = frames(up.session(0), 21);
        assertTrue(first.size() >= 8);
        for (Frame f : resent) {
            if (f.getSeq() < first.size()) {
                assertEquals(first.get(f.getSeq()), f, "frame " + f.getSeq() + " re-sent differently");
            }
            assertEquals(ByteString.copyFrom(clip.sealed().get(f.getSeq())), f.getSealed());
            assertEquals(ByteString.copyFrom(clip.metas().get(f.getSeq())), f.getMeta());
        }
        assertEquals(clip.sealedAsByteStrings(), up.durableFrames(21));
        assertTrue(up.closedDurably(21));
        LinkStats stats = client.stats();
        assertTrue(stats.framesRetransmitted() >= 3, "retransmitted " + stats.framesRetransmitted());
        assertTrue(stats.reconnects() >= 1);
        assertEquals(0, stats.bufferedBytes());
    }

    @Test
    void resume_clipUnknownAtUplink_resendsClipOpenWithSameHeaderThenEveryFrame() throws Exception {
        up.plan(SessionPlan.dropAfter(3, 0, false));
        TestClip clip = TestClip.of(DEVICE, 22, 6, 400);
        LinkClient client = client();
        clip.enqueue(client);
        client.start();
        client.drain(WAIT).get();

        List<DeviceMessage> second = up.session(1);
        assertEquals(
                ByteString.copyFrom(clip.header()), second.get(1).getClipOpen().getHeader());
        assertEquals(
                IntStream.range(0, 6).boxed().toList(),
                frames(second, 22).stream().map(Frame::getSeq).toList());
        assertEquals(6, second.get(second.size() - 1).getClipClose().getFrameCount());
        assertEquals(clip.sealedAsByteStrings(), up.durableFrames(22));
    }

    @Test
    void resume_clipClosedAtUplinkButAcksLost_resendsNothingOfIt() throws Exception {
        up.plan(SessionPlan.persistAllThenDropWithoutAcks());
        TestClip clip = TestClip.of(DEVICE, 23, 6, 400);
        TestClip later = TestClip.of(DEVICE, 24, 2, 400);
        LinkClient client = client();
        clip.enqueue(client);
        client.start();
        client.drain(WAIT).get();
        later.enqueue(client);
        client.drain(WAIT).get();

        List<DeviceMessage> second = up.session(1);
        assertEquals(List.of(23L), second.get(0).getHello().getOpenClipsList());
        assertTrue(
                second.stream()
                        .skip(1)
                        .allMatch(m -> !m.hasPing()
                                && ((m.hasClipOpen() && m.getClipOpen().getClipId() == 24)
                                        || (m.hasFrame() && m.getFrame().getClipId() == 24)
                                        || (m.hasClipClose() && m.getClipClose().getClipId() == 24))),
                "clip 23 re-sent: " + second);
        assertEquals(List.of(23L, 24L), events.persistedClips);
        assertEquals(0, client.stats().framesRetransmitted());
        assertEquals(0, client.stats().bufferedBytes());
    }

    @Test
    void onError_retriableStorageError_reconnectsAndResumesTheClip() throws Exception {
        up.injectError(25, 3, ErrorCode.STORAGE_UNAVAILABLE);
        TestClip clip = TestClip.of(DEVICE, 25, 8, 300);
        LinkClient client = client();
        client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        clip.enqueue(client);
        client.drain(WAIT).get();

        assertEquals(1, client.stats().errors(ErrorCode.STORAGE_UNAVAILABLE));
        assertTrue(client.stats().reconnects() >= 1);
        assertEquals(0, client.stats().failedClips());
        assertEquals(clip.sealedAsByteStrings(), up.durableFrames(25));
        assertEquals(3, frames(up.session(1), 25).get(0).getSeq());
    }
}
