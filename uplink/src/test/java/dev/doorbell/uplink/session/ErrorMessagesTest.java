package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a device reads in an Error names the device, the clip and the frame once each, with the real directory
 * store behind the session (whose refusals name the clip themselves).
 */
class ErrorMessagesTest {
    @TempDir
    Path dir;

    @Test
    void refusals_ofTheStore_nameDeviceClipAndFrameOnce() throws Exception {
        try (DirectoryStore store = DirectoryStore.open(dir, StoreOptions.defaults())) {
            UplinkServer server = new UplinkServer(TestUplink.config().build(), store);
            try (TestDeviceClient a = TestDeviceClient.connect(server.start(), "dev-a")) {
                a.send(Messages.hello("dev-a"));
                a.awaitWelcome();
                assertMessage(
                        a,
                        ErrorCode.UNKNOWN_CLIP,
                        Messages.frame(7, 0, false),
                        "device dev-a clip 7 frame 0: no header stored for this clip");
                assertMessage(
                        a,
                        ErrorCode.UNKNOWN_CLIP,
                        Messages.clipClose(8, 1),
                        "device dev-a clip 8 close: no header stored for this clip");
                a.send(
                        Messages.clipOpen("dev-a", 9),
                        Messages.frame(9, 0, true),
                        Messages.clipOpen("dev-a", 10),
                        Messages.frame(10, 0, false));
                a.awaitAck(10, AckKind.ACK_KIND_PERSISTED, 1, false);
                assertMessage(
                        a,
                        ErrorCode.SEQUENCE_GAP,
                        Messages.frame(10, 2, false),
                        "device dev-a clip 10 frame 2: expected frame 1");
                assertMessage(
                        a,
                        ErrorCode.CLIP_CLOSED,
                        Messages.frame(9, 1, false),
                        "device dev-a clip 9 frame 1: the clip ended with frame 0 (last)");
                assertMessage(
                        a,
                        ErrorCode.BAD_CLOSE,
                        Messages.clipClose(9, 4),
                        "device dev-a clip 9 close: frame_count 4 but 1 frames received");
                assertMessage(
                        a,
                        ErrorCode.FRAME_CONFLICT,
                        Messages.frame(9, 0, true, 1000, 1),
                        "device dev-a clip 9 frame 0: differs from the stored frame");
                ByteString otherHeader = Messages.header("dev-a", 9).concat(ByteString.copyFrom(new byte[] {0x40, 1}));
                assertMessage(
                        a,
                        ErrorCode.CLIP_CONFLICT,
                        Messages.clipOpen(9, otherHeader),
                        "device dev-a clip 9: already stored with other header bytes");
            } finally {
                server.stop(Duration.ofSeconds(2));
            }
        }
    }

    /** The Error that {@code request} gets starts with {@code expected} and names the device and clip once. */
    private static void assertMessage(TestDeviceClient device, ErrorCode code, DeviceMessage request, String expected) {
        int before = device.received().size();
        device.send(request);
        String message = device.await(
                        code + " after message " + before,
                        m -> m.hasError()
                                && m.getError().getCode() == code
                                && device.received().indexOf(m) >= before)
                .getError()
                .getMessage();
        assertTrue(message.startsWith(expected), message);
        assertEquals(1, occurrences(message, "device dev-a"), message);
        String clip =
                expected.substring("device dev-a ".length(), expected.indexOf(' ', "device dev-a clip ".length()));
        assertEquals(1, occurrences(message, clip), message);
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
