package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ClipState;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Clips, frames, acks, window, storage failures, resume and shutdown, over real TLS on loopback. */
class ClipStreamTest {
    @AutoClose
    private TestUplink uplink;

    @Test
    void stream_wholeClip_receivedPersistedClosedAndBytesStoredUnchanged() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.clipOpen("dev-a", 42));
        for (int seq = 0; seq < 5; seq++) {
            a.send(Messages.frame(42, seq, seq == 4, 3000 + seq, 0));
        }
        a.send(Messages.clipClose(42, 5));
        a.awaitAck(42, AckKind.ACK_KIND_RECEIVED, 5, true);
        a.awaitAck(42, AckKind.ACK_KIND_PERSISTED, 5, true);
        for (int seq = 0; seq < 5; seq++) {
            byte[] sent = Messages.frame(42, seq, seq == 4, 3000 + seq, 0)
                    .getFrame()
                    .getSealed()
                    .toByteArray();
            assertArrayEquals(sent, uplink.store.sealed("dev-a", 42, seq), "frame " + seq);
        }
        assertTrue(a.received().stream().noneMatch(UplinkMessage::hasError));
    }

    @Test
    void ack_commitsHeld_receivedCoalescedAndPersistedOnlyAfterCommit() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        uplink.store.holdCommits();
        DeviceMessage[] batch = new DeviceMessage[11];
        batch[0] = Messages.clipOpen("dev-a", 7);
        for (int seq = 0; seq < 10; seq++) {
            batch[seq + 1] = Messages.frame(7, seq, false, 200, 0);
        }
        a.send(batch);
        a.awaitAck(7, AckKind.ACK_KIND_RECEIVED, 10, false);
        long received = a.received().stream().filter(m -> m.hasAck()).count();
        assertTrue(received < 10, "RECEIVED acks should be coalesced, got " + received);
        assertTrue(
                a.received().stream().noneMatch(m -> m.hasAck() && m.getAck().getKind() == AckKind.ACK_KIND_PERSISTED));

        uplink.store.releaseCommits();
        a.awaitAck(7, AckKind.ACK_KIND_PERSISTED, 10, false);
        int last = 0;
        for (UplinkMessage m : a.received()) {
            if (m.hasAck() && m.getAck().getKind() == AckKind.ACK_KIND_PERSISTED) {
                assertTrue(m.getAck().getFrames() >= last, "PERSISTED acks must not go backwards");
                last = m.getAck().getFrames();
            }
        }
    }

    @Test
    void frame_identicalResend_ackedAgain() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.clipOpen("dev-a", 3), Messages.frame(3, 0, false), Messages.frame(3, 1, false));
        a.awaitAck(3, AckKind.ACK_KIND_PERSISTED, 2, false);
        int acksBefore = countAcks(a);
        a.send(Messages.clipOpen("dev-a", 3), Messages.frame(3, 0, false));
        a.await("a further PERSISTED ack", m -> countAcks(a) >= acksBefore + 2);
        assertTrue(a.received().stream().noneMatch(UplinkMessage::hasError));
    }

    @Test
    void frame_differentBytesForStoredSeq_frameConflictNothingOverwritten() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.clipOpen("dev-a", 3), Messages.frame(3, 0, false, 100, 0));
        a.awaitAck(3, AckKind.ACK_KIND_PERSISTED, 1, false);
        a.send(Messages.frame(3, 0, false, 100, 1));
        Error error = a.awaitError(ErrorCode.FRAME_CONFLICT).getError();
        assertFalse(error.getFatal());
        assertEquals(3, error.getClipId());
        assertTrue(error.getHasSeq() && error.getSeq() == 0);
        assertTrue(error.getMessage().contains("dev-a") && error.getMessage().contains("clip 3"), error.getMessage());
        assertArrayEquals(
                Messages.frame(3, 0, false, 100, 0).getFrame().getSealed().toByteArray(),
                uplink.store.sealed("dev-a", 3, 0));
        assertTrue(a.isOpen());
    }

    @Test
    void frame_gapUnknownClipAndBadHeader_nonFatalErrors() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.frame(9, 0, false));
        a.awaitError(ErrorCode.UNKNOWN_CLIP);
        a.send(Messages.clipOpen("dev-a", 4), Messages.frame(4, 2, false));
        assertEquals(2, a.awaitError(ErrorCode.SEQUENCE_GAP).getError().getSeq());
        a.send(Messages.clipOpen(5, Messages.header("dev-b", 5)));
        assertTrue(a.awaitError(ErrorCode.BAD_HEADER).getError().getMessage().contains("dev-b"));
        a.send(Messages.clipOpen(6, Messages.header("dev-a", 66)));
        a.await("BAD_HEADER for clip 6", m -> m.hasError() && m.getError().getClipId() == 6);
        assertEquals(null, uplink.store.status("dev-a", 5));
        a.send(Messages.ping(5));
        a.await("Pong", UplinkMessage::hasPong);
    }

    @Test
    void frame_aboveMaxFrameBytes_frameTooLargeSessionContinues() throws Exception {
        uplink = TestUplink.start(
                b -> b.maxFrameBytes(4096).maxMessageBytes(8192).windowBytes(65536));
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.clipOpen("dev-a", 1), Messages.frame(1, 0, false, 5000, 0));
        Error error = a.awaitError(ErrorCode.FRAME_TOO_LARGE).getError();
        assertFalse(error.getFatal());
        assertTrue(error.getMessage().contains("5000"), error.getMessage());
        a.send(Messages.frame(1, 0, true, 4096, 0));
        a.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, false);
    }

    @Test
    void frame_beyondWindow_windowExceededUntilPersisted() throws Exception {
        uplink = TestUplink.start(b -> b.windowFrames(2));
        TestDeviceClient a = uplink.session("dev-a");
        uplink.store.holdCommits();
        a.send(
                Messages.clipOpen("dev-a", 1),
                Messages.frame(1, 0, false),
                Messages.frame(1, 1, false),
                Messages.frame(1, 2, false));
        Error error = a.awaitError(ErrorCode.WINDOW_EXCEEDED).getError();
        assertTrue(!error.getFatal() && error.getRetriable() && error.getSeq() == 2);
        uplink.store.releaseCommits();
        a.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 2, false);
        a.send(Messages.frame(1, 2, false));
        a.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 3, false);
    }

    @Test
    void frame_commitFails_storageUnavailableAndNeverPersisted() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.clipOpen("dev-a", 1), Messages.frame(1, 0, false));
        a.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, false);
        uplink.store.failCommits(true);
        a.send(Messages.frame(1, 1, false));
        Error error = a.awaitError(ErrorCode.STORAGE_UNAVAILABLE).getError();
        assertTrue(!error.getFatal() && error.getRetriable() && error.getSeq() == 1);
        assertTrue(a.received().stream()
                .noneMatch(m -> m.hasAck()
                        && m.getAck().getKind() == AckKind.ACK_KIND_PERSISTED
                        && m.getAck().getFrames() > 1));
    }

    @Test
    void hello_openClipsAfterReconnect_welcomeReportsOwnPersistedFramesOnly() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient first = uplink.session("dev-a");
        first.send(
                Messages.clipOpen("dev-a", 7),
                Messages.frame(7, 0, false),
                Messages.frame(7, 1, false),
                Messages.frame(7, 2, false),
                Messages.clipOpen("dev-a", 8),
                Messages.frame(8, 0, true),
                Messages.clipClose(8, 1));
        first.awaitAck(7, AckKind.ACK_KIND_PERSISTED, 3, false);
        first.awaitAck(8, AckKind.ACK_KIND_PERSISTED, 1, true);
        first.close();

        TestDeviceClient again = uplink.connect("dev-a");
        again.send(Messages.hello("dev-a", 7, 8, 99));
        List<ClipState> clips = again.awaitWelcome().getWelcome().getClipsList();
        assertEquals(3, clips.size());
        assertTrue(clips.get(0).getKnown()
                && clips.get(0).getPersistedFrames() == 3
                && !clips.get(0).getClosed());
        assertTrue(clips.get(1).getKnown() && clips.get(1).getClosed());
        assertFalse(clips.get(2).getKnown());
        again.send(Messages.frame(7, 3, true), Messages.clipClose(7, 4));
        again.awaitAck(7, AckKind.ACK_KIND_PERSISTED, 4, true);

        TestDeviceClient other = uplink.connect("dev-b");
        other.send(Messages.hello("dev-b", 7));
        assertFalse(other.awaitWelcome().getWelcome().getClips(0).getKnown(), "dev-b must not see dev-a's clip 7");
    }

    @Test
    void stop_commitsPending_persistedAckThenShuttingDown() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        uplink.store.holdCommits();
        a.send(Messages.clipOpen("dev-a", 1), Messages.frame(1, 0, false), Messages.frame(1, 1, false));
        a.awaitAck(1, AckKind.ACK_KIND_RECEIVED, 2, false);
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> uplink.server.stop(Duration.ofSeconds(10)));
        uplink.store.releaseCommits();
        a.awaitError(ErrorCode.SHUTTING_DOWN);
        assertTrue(a.awaitClosed());
        stopped.get();
        List<UplinkMessage> seen = a.received();
        int persisted = indexOf(
                seen,
                m -> m.hasAck()
                        && m.getAck().getKind() == AckKind.ACK_KIND_PERSISTED
                        && m.getAck().getFrames() == 2);
        int shuttingDown = indexOf(seen, m -> m.hasError() && m.getError().getCode() == ErrorCode.SHUTTING_DOWN);
        assertTrue(persisted >= 0 && persisted < shuttingDown, "PERSISTED must precede SHUTTING_DOWN: " + seen);
        assertTrue(seen.get(shuttingDown).getError().getRetriable());
    }

    private static int countAcks(TestDeviceClient client) {
        return (int) client.received().stream().filter(UplinkMessage::hasAck).count();
    }

    private static int indexOf(List<UplinkMessage> messages, java.util.function.Predicate<UplinkMessage> p) {
        for (int i = 0; i < messages.size(); i++) {
            if (p.test(messages.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
