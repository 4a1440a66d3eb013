package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.doorbell.proto.v1.Ack;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.uplink.identity.CertificateRevocations;
import dev.doorbell.uplink.identity.PeerIdentifier;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.store.ClipStatus;
import dev.doorbell.uplink.testing.CheckingClipStore;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Arbitrary device messages against one session on an EmbeddedChannel (insecure plaintext, so that the fuzzer can
 * say Hello). The input is a stream of length-delimited DeviceMessages, read until it stops parsing; each Ping also
 * lets the store commit everything so far, so the fuzzer chooses when PERSISTED acks happen.
 *
 * <p>Invariants: no exception escapes the session; every Error has a specific code, the fatal flag of its code and,
 * after Hello, names the device; nothing follows a fatal Error and the connection is closed; acks never go backwards
 * nor claim more than the store holds; the store only gets writes of the one device, within every limit, with headers
 * naming that device and clip.
 */
class SessionFuzzTest {
    private static final UplinkConfig CONFIG = UplinkConfig.builder()
            .insecurePlaintextForDebugging(true)
            .maxFrameBytes(256)
            .maxMessageBytes(1024)
            .maxFramesPerClip(6)
            .maxOpenClips(2)
            .windowFrames(3)
            .windowBytes(512)
            .build();
    private static final int MAX_MESSAGES = 64;

    @FuzzTest(maxDuration = "30s")
    void session_anyMessages_specificErrorsAndOnlyWellFormedWrites(byte[] input) throws IOException {
        CheckingClipStore store = new CheckingClipStore(CONFIG);
        EmbeddedChannel channel = new EmbeddedChannel(new DeviceSessionHandler(
                CONFIG,
                store,
                new SessionRegistry(),
                new PeerIdentifier(CertificateRevocations.none(), CONFIG.clock())));
        Observer observer = new Observer(store);
        try {
            ByteArrayInputStream in = new ByteArrayInputStream(input);
            for (int i = 0; i < MAX_MESSAGES && channel.isOpen(); i++) {
                DeviceMessage message = nextOrNull(in);
                if (message == null) {
                    break;
                }
                channel.writeInbound(message);
                if (message.hasPing()) {
                    store.release();
                }
                channel.runPendingTasks();
                channel.checkException();
                observer.check(channel);
            }
            store.release();
            channel.runPendingTasks();
            channel.checkException();
            observer.check(channel);
            assertEquals(List.of(), store.violations());
            assertTrue(
                    store.devices().isEmpty() || store.devices().equals(Set.of(observer.deviceId)),
                    "writes under " + store.devices() + " in the session of " + observer.deviceId);
        } finally {
            channel.finishAndReleaseAll();
            store.close();
        }
    }

    private static DeviceMessage nextOrNull(ByteArrayInputStream in) {
        try {
            return DeviceMessage.parseDelimitedFrom(in);
        } catch (IOException e) {
            return null;
        }
    }

    /** Checks each message the session wrote, in order, against what came before. */
    private static final class Observer {
        private final CheckingClipStore store;
        private final Map<String, Integer> lastAck = new HashMap<>();
        private String deviceId;
        private boolean fatalSent;

        Observer(CheckingClipStore store) {
            this.store = store;
        }

        void check(EmbeddedChannel channel) {
            for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
                assertTrue(out instanceof UplinkMessage, "wrote " + out.getClass());
                assertFalse(fatalSent, "a message after a fatal Error: " + out);
                UplinkMessage message = (UplinkMessage) out;
                if (message.hasWelcome()) {
                    assertEquals(null, deviceId, "a second Welcome");
                    deviceId = message.getWelcome().getDeviceId();
                } else if (message.hasError()) {
                    error(message.getError());
                } else if (message.hasAck()) {
                    ack(message.getAck());
                }
            }
            if (fatalSent) {
                assertFalse(channel.isOpen(), "still open after a fatal Error");
            }
        }

        private void error(Error error) {
            ErrorCode code = error.getCode();
            assertNotEquals(ErrorCode.ERROR_CODE_UNSPECIFIED, code, error.getMessage());
            assertNotEquals(ErrorCode.INTERNAL, code, error.getMessage());
            assertEquals(ErrorCodes.isFatal(code), error.getFatal(), code + " with the wrong fatal flag");
            assertFalse(error.getMessage().isBlank(), code + " without a message");
            if (deviceId != null) {
                assertTrue(error.getMessage().contains("device " + deviceId), "does not name the device: " + error);
            }
            fatalSent = error.getFatal();
        }

        private void ack(Ack ack) {
            assertTrue(deviceId != null, "an ack before Welcome");
            String key = Long.toUnsignedString(ack.getClipId()) + "/" + ack.getKind();
            int before = lastAck.getOrDefault(key, 0);
            assertTrue(Integer.compareUnsigned(ack.getFrames(), before) >= 0, "ack went backwards: " + ack);
            lastAck.put(key, ack.getFrames());
            ClipStatus status = store.status(deviceId, ack.getClipId());
            assertTrue(status != null, "ack for a clip the store does not have: " + ack);
            int held = ack.getKind() == AckKind.ACK_KIND_PERSISTED ? status.persistedFrames() : status.receivedFrames();
            assertTrue(
                    Integer.compareUnsigned(ack.getFrames(), held) <= 0,
                    "ack claims more than stored (" + held + "): " + ack);
        }
    }
}
