package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Handshake, identity and Hello over real TLS on loopback. */
class DeviceSessionHandlerTest {
    @AutoClose
    private TestUplink uplink;

    @Test
    void hello_validCertificate_welcomeCarriesIdentityAndLimits() throws Exception {
        uplink = TestUplink.start(b -> b.windowFrames(32).maxOpenClips(4));
        TestDeviceClient a = uplink.connect("dev-a");
        a.send(Messages.hello("dev-a"));
        Welcome welcome = a.awaitWelcome().getWelcome();
        assertEquals(1, welcome.getVersion());
        assertEquals("dev-a", welcome.getDeviceId());
        assertEquals(2 * 1024 * 1024 + 4096, welcome.getMaxMessageBytes());
        assertEquals(2 * 1024 * 1024, welcome.getMaxFrameBytes());
        assertEquals(32, welcome.getWindowFrames());
        assertEquals(4, welcome.getMaxOpenClips());
        assertEquals(10_000, welcome.getHeartbeatMs());
        assertEquals(30_000, welcome.getIdleTimeoutMs());
        // Announced so that a client (the conformance suite) can wait for HANDSHAKE_TIMEOUT as long as needed only.
        assertEquals(10_000, welcome.getHandshakeDeadlineMs());
        assertEquals(1, uplink.server.registry().sessionCount());
    }

    @Test
    void tls_noClientCertificate_closedWithoutWelcome() throws Exception {
        assertRefusedByTls(null);
    }

    @Test
    void tls_certificateFromAnotherCa_closedWithoutWelcome() throws Exception {
        assertRefusedByTls("foreign-dev-a");
    }

    @Test
    void tls_expiredCertificate_closedWithoutWelcome() throws Exception {
        assertRefusedByTls("expired");
    }

    private void assertRefusedByTls(String certName) throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient client = uplink.connect(certName);
        client.send(Messages.hello("dev-a"));
        assertTrue(client.awaitClosed(), "connection should be closed");
        assertTrue(client.received().stream().noneMatch(UplinkMessage::hasWelcome), "no Welcome expected");
        assertEquals(0, uplink.server.registry().sessionCount());
    }

    @Test
    void tls_certificateWithoutDeviceSan_noIdentityAndClosed() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient client = uplink.connect("no-san");
        Error error = client.awaitError(ErrorCode.NO_IDENTITY).getError();
        assertTrue(error.getFatal());
        assertTrue(client.awaitClosed());
    }

    @Test
    void tls_certificateNamingTwoDevices_noIdentityAsAmbiguousNamingBoth() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient client = uplink.connect("two-ids");
        client.send(Messages.hello("dev-a"));
        Error error = client.awaitError(ErrorCode.NO_IDENTITY).getError();
        assertTrue(error.getFatal() && !error.getRetriable());
        assertTrue(
                error.getMessage().contains("ambiguous")
                        && error.getMessage().contains("dev-a")
                        && error.getMessage().contains("dev-b"),
                error.getMessage());
        assertTrue(client.awaitClosed());
        assertTrue(client.received().stream().noneMatch(UplinkMessage::hasWelcome), "no Welcome for either device");
        assertEquals(0, uplink.server.registry().sessionCount());
    }

    @Test
    void read_clipIdZero_malformedMessageNamingItAndNothingStored() throws Exception {
        uplink = TestUplink.start();
        for (DeviceMessage message :
                new DeviceMessage[] {Messages.clipOpen("dev-a", 0), Messages.frame(0, 0, true), Messages.clipClose(0, 1)
                }) {
            TestDeviceClient a = uplink.session("dev-a");
            a.send(message);
            Error error = a.awaitError(ErrorCode.MALFORMED_MESSAGE).getError();
            assertTrue(error.getFatal() && !error.getRetriable() && error.getClipId() == 0, error.toString());
            assertTrue(error.getMessage().contains("clip id 0"), error.getMessage());
            assertTrue(a.awaitClosed());
        }
        assertEquals(null, uplink.store.status("dev-a", 0));
    }

    @Test
    void hello_otherDevicesId_identityMismatchWhileThatDeviceKeepsStreaming() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient b = uplink.session("dev-b");
        b.send(Messages.clipOpen("dev-b", 1), Messages.frame(1, 0, false));
        b.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, false);

        TestDeviceClient a = uplink.connect("dev-a");
        a.send(Messages.hello("dev-b"));
        Error error = a.awaitError(ErrorCode.IDENTITY_MISMATCH).getError();
        assertTrue(error.getFatal());
        assertTrue(error.getMessage().contains("dev-a") && error.getMessage().contains("dev-b"), error.getMessage());
        assertTrue(a.awaitClosed());

        b.send(Messages.frame(1, 1, true), Messages.clipClose(1, 2));
        b.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 2, true);
        assertTrue(b.isOpen());
        assertTrue(b.received().stream().noneMatch(UplinkMessage::hasError), "dev-b saw no error");
    }

    @Test
    void read_messageBeforeHello_helloRequiredAndClosed() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.connect("dev-a");
        a.send(Messages.clipOpen("dev-a", 1));
        assertTrue(a.awaitError(ErrorCode.HELLO_REQUIRED).getError().getFatal());
        assertTrue(a.awaitClosed());
        assertEquals(null, uplink.store.status("dev-a", 1));
    }

    @Test
    void hello_secondHello_duplicateHelloAndClosed() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.hello("dev-a"));
        a.awaitError(ErrorCode.DUPLICATE_HELLO);
        assertTrue(a.awaitClosed());
    }

    @Test
    void hello_withoutVersion1_unsupportedVersion() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.connect("dev-a");
        a.send(DeviceMessage.newBuilder()
                .setHello(Hello.newBuilder().addVersions(2).setDeviceId("dev-a"))
                .build());
        assertTrue(a.awaitError(ErrorCode.UNSUPPORTED_VERSION)
                .getError()
                .getMessage()
                .contains("[2]"));
        assertTrue(a.awaitClosed());
    }

    @Test
    void read_emptyMessage_malformedMessage() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        a.send(DeviceMessage.getDefaultInstance());
        a.awaitError(ErrorCode.MALFORMED_MESSAGE);
        assertTrue(a.awaitClosed());
    }

    @Test
    void read_lengthAboveMaximum_messageTooLargeAndClosed() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        // varint32 of 100 MiB, and no body: the uplink must refuse on the prefix alone.
        a.sendRaw(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x32});
        Error error = a.awaitError(ErrorCode.MESSAGE_TOO_LARGE).getError();
        assertTrue(error.getFatal() && !error.getRetriable());
        assertTrue(a.awaitClosed());
    }

    @Test
    void deadline_silentTcpClient_closed() throws Exception {
        uplink = TestUplink.start(b -> b.handshakeDeadline(Duration.ofMillis(300)));
        try (Socket socket = new Socket(uplink.address.getAddress(), uplink.address.getPort())) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            assertEquals(-1, in.read(), "the uplink should close a connection that never starts TLS");
        }
    }

    @Test
    void deadline_tlsButNoHello_handshakeTimeoutAndClosed() throws Exception {
        // Long enough for a TLS handshake on a busy machine, short enough for a quick test.
        uplink = TestUplink.start(b -> b.handshakeDeadline(Duration.ofSeconds(2)));
        TestDeviceClient a = uplink.connect("dev-a");
        Error error = a.awaitError(ErrorCode.HANDSHAKE_TIMEOUT).getError();
        assertTrue(error.getFatal() && error.getRetriable());
        assertTrue(a.awaitClosed());
    }

    @Test
    void idle_quietSession_idleTimeoutAndClosed() throws Exception {
        uplink = TestUplink.start(b -> b.heartbeat(Duration.ofMillis(100)).idleTimeout(Duration.ofMillis(400)));
        TestDeviceClient a = uplink.session("dev-a");
        a.awaitError(ErrorCode.IDLE_TIMEOUT);
        assertTrue(a.awaitClosed());
    }

    @Test
    void ping_activeSession_pongWithSameToken() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient a = uplink.session("dev-a");
        a.send(Messages.ping(0xfeedL));
        assertEquals(0xfeedL, a.await("Pong", UplinkMessage::hasPong).getPong().getToken());
    }

    @Test
    void hello_sameDeviceAgain_olderSessionSuperseded() throws Exception {
        uplink = TestUplink.start();
        TestDeviceClient first = uplink.session("dev-a");
        TestDeviceClient second = uplink.session("dev-a");
        Error error = first.awaitError(ErrorCode.SUPERSEDED).getError();
        assertTrue(error.getFatal() && !error.getRetriable());
        assertTrue(first.awaitClosed());
        second.send(Messages.ping(1));
        second.await("Pong", UplinkMessage::hasPong);
        assertFalse(second.received().stream().anyMatch(UplinkMessage::hasError));
        assertEquals(1, uplink.server.registry().sessionCount());
    }
}
