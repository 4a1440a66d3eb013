package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The per-device limits announced in Welcome, each refused with its own code, naming the device, clip and frame, and
 * without ending the session: open clips, bytes in flight, clip length and frame size. (ClipStreamTest covers the
 * frame-count window.)
 */
class ClipLimitsTest {
    @AutoClose
    private TestUplink uplink;

    @Test
    void open_beyondMaxOpenClips_tooManyOpenClipsUntilOneCloses() throws Exception {
        uplink = TestUplink.start(b -> b.maxOpenClips(2));
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.clipOpen("dev-a", 1), Messages.clipOpen("dev-a", 2), Messages.clipOpen("dev-a", 3));
        Error error = a.awaitError(ErrorCode.TOO_MANY_OPEN_CLIPS).getError();
        assertEquals(3, error.getClipId());
        assertTrue(!error.getFatal() && error.getRetriable(), error.toString());
        assertTrue(
                error.getMessage().contains("device dev-a clip 3")
                        && error.getMessage().contains("2 clips"),
                error.getMessage());
        assertNull(uplink.store.status("dev-a", 3), "the refused clip must not be stored");

        a.send(Messages.clipOpen("dev-a", 2));
        a.send(Messages.frame(1, 0, true), Messages.clipClose(1, 1));
        a.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, true);
        a.send(Messages.clipOpen("dev-a", 3), Messages.frame(3, 0, false));
        a.awaitAck(3, AckKind.ACK_KIND_PERSISTED, 1, false);
        assertEquals(1, a.received().stream().filter(m -> m.hasError()).count(), "reopening clip 2 is no new clip");
    }

    @Test
    void open_clipsAbandonedInEarlierSession_notCounted() throws Exception {
        uplink = TestUplink.start(b -> b.maxOpenClips(2));
        TestDeviceClient before = uplink.session("dev-a");
        before.send(
                Messages.clipOpen("dev-a", 1),
                Messages.frame(1, 0, false),
                Messages.clipOpen("dev-a", 2),
                Messages.frame(2, 0, false));
        before.awaitAck(2, AckKind.ACK_KIND_PERSISTED, 1, false);
        before.close();
        // A power loss: the device lost clips 1 and 2 with its memory and does not resume them.
        TestDeviceClient after = uplink.session("dev-a");
        after.send(
                Messages.clipOpen("dev-a", 3),
                Messages.frame(3, 0, false),
                Messages.clipOpen("dev-a", 4),
                Messages.frame(4, 0, false));
        after.awaitAck(4, AckKind.ACK_KIND_PERSISTED, 1, false);
        assertTrue(
                after.received().stream().noneMatch(m -> m.hasError()),
                after.received().toString());
    }

    @Test
    void open_otherDeviceAtLimit_notCounted() throws Exception {
        uplink = TestUplink.start(b -> b.maxOpenClips(1));
        TestDeviceClient a = uplink.session("dev-a");
        TestDeviceClient b = uplink.session("dev-b");
        a.send(Messages.clipOpen("dev-a", 1), Messages.frame(1, 0, false));
        a.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, false);
        b.send(Messages.clipOpen("dev-b", 1), Messages.frame(1, 0, false));
        b.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, false);
        assertTrue(b.received().stream().noneMatch(m -> m.hasError()));
    }

    @Test
    void frame_beyondWindowBytes_windowExceededUntilPersisted() throws Exception {
        uplink = TestUplink.start(
                b -> b.maxFrameBytes(4096).maxMessageBytes(8192).windowBytes(10_000));
        TestDeviceClient a = uplink.session("dev-a");
        uplink.store.holdCommits();
        a.send(
                Messages.clipOpen("dev-a", 5),
                Messages.frame(5, 0, false, 4000, 0),
                Messages.frame(5, 1, false, 4000, 0),
                Messages.frame(5, 2, false, 4000, 0));
        Error error = a.awaitError(ErrorCode.WINDOW_EXCEEDED).getError();
        assertTrue(
                !error.getFatal() && error.getRetriable() && error.getHasSeq() && error.getSeq() == 2,
                error.toString());
        assertTrue(
                error.getMessage().contains("device dev-a clip 5 frame 2")
                        && error.getMessage().contains("8000 bytes")
                        && error.getMessage().contains("10000 bytes"),
                error.getMessage());
        assertNull(uplink.store.sealed("dev-a", 5, 2), "a frame beyond the window must not be stored");

        uplink.store.releaseCommits();
        a.awaitAck(5, AckKind.ACK_KIND_PERSISTED, 2, false);
        a.send(Messages.frame(5, 2, true, 4000, 0), Messages.clipClose(5, 3));
        a.awaitAck(5, AckKind.ACK_KIND_PERSISTED, 3, true);
    }

    @Test
    void frame_seqAtMaxFramesPerClip_clipTooLongAndClipStaysClosable() throws Exception {
        uplink = TestUplink.start(b -> b.maxFramesPerClip(3));
        TestDeviceClient a = uplink.session("dev-a");
        a.send(
                Messages.clipOpen("dev-a", 8),
                Messages.frame(8, 0, false),
                Messages.frame(8, 1, false),
                Messages.frame(8, 2, false),
                Messages.frame(8, 3, false));
        Error error = a.awaitError(ErrorCode.CLIP_TOO_LONG).getError();
        assertEquals(8, error.getClipId());
        assertTrue(
                error.getHasSeq() && error.getSeq() == 3 && !error.getFatal() && !error.getRetriable(),
                error.toString());
        assertTrue(
                error.getMessage().contains("device dev-a clip 8 frame 3")
                        && error.getMessage().contains("3 frames"),
                error.getMessage());
        a.awaitAck(8, AckKind.ACK_KIND_PERSISTED, 3, false);
        assertEquals(3, uplink.store.status("dev-a", 8).receivedFrames());
        assertTrue(a.isOpen());
    }

    @Test
    void frame_hugeUnsignedSeq_clipTooLongNotSequenceGap() throws Exception {
        uplink = TestUplink.start(b -> b.maxFramesPerClip(100));
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.clipOpen("dev-a", 9), Messages.frame(9, -1, false));
        Error error = a.awaitError(ErrorCode.CLIP_TOO_LONG).getError();
        assertTrue(
                error.getMessage().contains("frame 4294967295"), "seq is unsigned in messages: " + error.getMessage());
    }

    @Test
    void frame_aboveMaxFrameBytes_frameTooLargeNotStoredNotWindowed() throws Exception {
        uplink = TestUplink.start(b ->
                b.maxFrameBytes(1024).maxMessageBytes(4096).windowBytes(1024).windowFrames(1));
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.clipOpen("dev-a", 4), Messages.frame(4, 0, false, 1025, 0));
        Error error = a.awaitError(ErrorCode.FRAME_TOO_LARGE).getError();
        assertTrue(error.getHasSeq() && error.getSeq() == 0 && !error.getFatal(), error.toString());
        assertTrue(
                error.getMessage().contains("device dev-a clip 4 frame 0")
                        && error.getMessage().contains("1025")
                        && error.getMessage().contains("1024"),
                error.getMessage());
        assertNull(uplink.store.sealed("dev-a", 4, 0));
        // The refused frame took no room in the one-frame window.
        a.send(Messages.frame(4, 0, true, 1024, 0));
        a.awaitAck(4, AckKind.ACK_KIND_PERSISTED, 1, false);
        assertFalse(a.received().stream()
                .anyMatch(m -> m.hasError() && m.getError().getCode() != ErrorCode.FRAME_TOO_LARGE));
    }
}
