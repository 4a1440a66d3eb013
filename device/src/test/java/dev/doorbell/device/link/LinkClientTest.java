package dev.doorbell.device.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.testing.TestPki;
import dev.doorbell.testing.Waits;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LinkClientTest extends LinkTestBase {

    @Test
    void start_clipQueuedBeforeWelcome_helloFirstNothingBeforeWelcomeAndClipPersisted() throws Exception {
        up.welcomeDelayMs = 150;
        TestClip clip = TestClip.of(DEVICE, 7, 12, 900);
        LinkClient client = client();
        clip.enqueue(client);

        Welcome welcome = client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        client.drain(WAIT).get();

        assertEquals(DEVICE, welcome.getDeviceId());
        assertEquals(List.of(1), up.messagesBeforeWelcome);
        Hello hello = up.session(0).get(0).getHello();
        assertEquals(DEVICE, hello.getDeviceId());
        assertEquals(List.of(1), hello.getVersionsList());
        assertEquals("test-fw/1", hello.getFirmware());
        assertEquals(clip.sealedAsByteStrings(), up.durableFrames(7));
        assertTrue(up.closedDurably(7));
        LinkStats stats = client.stats();
        assertEquals(12, stats.framesSent());
        assertEquals(12, stats.framesPersisted());
        assertEquals(12, stats.framesReceivedAcked());
        assertEquals(12L * 900, stats.bytesSent());
        assertEquals(1, stats.clipsPersisted());
        assertEquals(0, stats.bufferedBytes());
        assertEquals(0, stats.framesRetransmitted());
        assertEquals(List.of(7L), events.persistedClips);
    }

    @Test
    void send_windowOfFourFramesAndSlowPersist_neverMoreThanFourUnpersisted() throws Exception {
        up.windowFrames = 4;
        up.persistDelayMs = 15;
        TestClip clip = TestClip.of(DEVICE, 3, 24, 1000);
        LinkClient client = client();
        client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        clip.enqueue(client);
        client.drain(WAIT).get();

        assertEquals(4, up.maxPendingFrames);
        assertEquals(clip.sealedAsByteStrings(), up.durableFrames(3));
        assertEquals(0, client.stats().errorsByCode().size());
    }

    @Test
    void send_byteWindowOfThreeFrames_neverMoreSealedBytesUnpersisted() throws Exception {
        up.windowBytes = 3500;
        up.persistDelayMs = 15;
        TestClip clip = TestClip.of(DEVICE, 4, 15, 1000);
        LinkClient client = client();
        client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        clip.enqueue(client);
        client.drain(WAIT).get();

        assertEquals(3000, up.maxPendingBytes);
        assertEquals(clip.sealedAsByteStrings(), up.durableFrames(4));
    }

    @Test
    void onError_nonRetriableErrorOnOneClip_reportedDroppedAndOtherClipCompletes() throws Exception {
        up.injectError(10, 2, ErrorCode.FRAME_CONFLICT);
        TestClip bad = TestClip.of(DEVICE, 10, 5, 500);
        TestClip good = TestClip.of(DEVICE, 11, 5, 500);
        LinkClient client = client();
        bad.enqueue(client);
        good.enqueue(client);
        client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        client.drain(WAIT).get();

        assertTrue(events.errors.stream()
                .anyMatch(e -> e.getCode() == ErrorCode.FRAME_CONFLICT && e.getClipId() == 10 && e.getSeq() == 2));
        assertEquals(List.of(10L), events.droppedClips);
        assertEquals(List.of(11L), events.persistedClips);
        LinkStats stats = client.stats();
        assertEquals(1, stats.errors(ErrorCode.FRAME_CONFLICT));
        assertEquals(1, stats.failedClips());
        assertEquals(0, stats.reconnects());
        assertEquals(0, stats.bufferedBytes());
        assertEquals(good.sealedAsByteStrings(), up.durableFrames(11));
        assertTrue(up.closedDurably(11));
    }

    @Test
    void send_frameAboveMaxFrameBytes_neverSentClipDroppedOthersComplete() throws Exception {
        up.maxFrameBytes = 500;
        TestClip big = TestClip.of(DEVICE, 12, 3, 600);
        TestClip small = TestClip.of(DEVICE, 13, 3, 400);
        LinkClient client = client();
        big.enqueue(client);
        small.enqueue(client);
        client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        client.drain(WAIT).get();

        assertEquals(1, client.stats().errors(ErrorCode.FRAME_TOO_LARGE));
        assertEquals(List.of(12L), events.droppedClips);
        assertTrue(frames(up.session(0), 12).isEmpty());
        assertEquals(small.sealedAsByteStrings(), up.durableFrames(13));
    }

    @Test
    void start_certificateOfAnotherDevice_failsWithIdentityMismatchAndStops() throws Exception {
        LinkClient client = client(config().tls(TestPki.clientContext("dev-b")).build());

        ExecutionException e = assertThrows(
                ExecutionException.class, () -> client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));

        LinkException cause = assertInstanceOf(LinkException.class, e.getCause());
        assertEquals(ErrorCode.IDENTITY_MISMATCH, cause.code());
        assertEquals(0, client.stats().reconnects());
        assertEquals(1, up.sessionCount());
    }

    @Test
    void onError_tooManyErrorsWithRetryAfter_reconnectsNoSoonerThanAskedAndCompletes() throws Exception {
        up.tooManyErrors.add(700);
        TestClip clip = TestClip.of(DEVICE, 12, 5, 500);
        LinkClient client = client();
        client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        clip.enqueue(client);
        client.drain(WAIT).get();

        assertEquals(2, up.sessionCount(), "one reconnect after the TOO_MANY_ERRORS");
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(up.sessionStarts.get(1) - up.tooManyErrorsSent.get(0));
        assertTrue(
                waitedMs >= 700,
                "reconnected after " + waitedMs + " ms; the uplink asked for 700 (backoff ceiling" + " 100 ms)");
        assertEquals(clip.sealedAsByteStrings(), up.durableFrames(12));
        assertEquals(1, client.stats().errors(ErrorCode.TOO_MANY_ERRORS));
        assertEquals(List.of(12L), events.persistedClips);
    }

    @Test
    void openSendClose_clipIdZero_refusedBeforeAnythingIsQueued() {
        LinkClient client = client();
        assertThrows(IllegalArgumentException.class, () -> client.openClip(0, new byte[] {1}));
        assertThrows(IllegalArgumentException.class, () -> client.send(0, 0, true, new byte[0], new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> client.closeClip(0, 1));
        assertEquals(0, client.stats().bufferedBytes());
    }

    @Test
    void heartbeat_idleLink_pingsAndStaysConnected() throws Exception {
        up.heartbeatMs = 40;
        LinkClient client = client();
        client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        Waits.await("five pings", WAIT)
                .until(() ->
                        up.session(0).stream().filter(DeviceMessage::hasPing).count() >= 5);
        assertEquals(1, up.sessionCount());
        assertEquals(0, client.stats().reconnects());
    }

    @Test
    void heartbeat_silentUplink_treatedAsDeadAndReconnects() throws Exception {
        up.heartbeatMs = 40;
        up.plan(FakeUplink.SessionPlan.silentAfterWelcome());
        LinkClient client = client();
        client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        Waits.await("a second session", WAIT).until(() -> up.sessionCount() >= 2);
        Waits.await("a reconnect counted", WAIT).until(() -> client.stats().reconnects() >= 1);
        assertTrue(events.events.contains("disconnected"));
    }
}
