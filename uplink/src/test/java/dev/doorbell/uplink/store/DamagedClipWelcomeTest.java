package dev.doorbell.uplink.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ClipState;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a device hears about a clip the store lost records of (docs/PROTOCOL.md, Resume): Welcome says it is known
 * and closed, with its frames from 0 up to the first lost one, and the uplink takes nothing more for it; every other
 * clip and the session go on as usual.
 */
class DamagedClipWelcomeTest {
    private static final String DEVICE = "dev-a";

    @TempDir
    Path dir;

    private UplinkServer server(DirectoryStore store) throws Exception {
        UplinkServer server = new UplinkServer(TestUplink.config().build(), store);
        server.start();
        return server;
    }

    @Test
    void welcome_clipWithADamagedFrame_knownClosedWithFramesBeforeItAndFurtherFramesRefused() throws Exception {
        try (DirectoryStore store = DirectoryStore.open(dir, StoreFixtures.options())) {
            UplinkServer server = server(store);
            try (TestDeviceClient device = TestDeviceClient.connect(address(server), DEVICE)) {
                device.send(Messages.hello(DEVICE), Messages.clipOpen(DEVICE, 1));
                for (int seq = 0; seq < 5; seq++) {
                    device.send(Messages.frame(1, seq, false));
                }
                device.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 5, false);
                device.send(
                        Messages.clipOpen(DEVICE, 2),
                        Messages.frame(2, 0, false),
                        Messages.frame(2, 1, true),
                        Messages.clipClose(2, 2));
                device.awaitAck(2, AckKind.ACK_KIND_PERSISTED, 2, true);
            } finally {
                server.stop(Duration.ofSeconds(2));
            }
        }
        Path segment = dir.resolve("segments").resolve(SegmentFormat.segmentName(1));
        List<Long> offsets = StoreShorteningTest.recordOffsets(segment);
        byte[] bytes = Files.readAllBytes(segment);
        // Records: start, clip 1's header, its frames 0 to 4, ...: frame 2 is the fifth.
        bytes[offsets.get(4).intValue() + 30] ^= 0x08;
        Files.write(segment, bytes);

        try (DirectoryStore store = DirectoryStore.open(dir, StoreFixtures.options())) {
            UplinkServer server = server(store);
            try (TestDeviceClient device = TestDeviceClient.connect(address(server), DEVICE)) {
                device.send(Messages.hello(DEVICE, 1, 2, 3));
                List<ClipState> clips = device.awaitWelcome().getWelcome().getClipsList();
                assertEquals(
                        ClipState.newBuilder()
                                .setClipId(1)
                                .setKnown(true)
                                .setPersistedFrames(2)
                                .setClosed(true)
                                .build(),
                        clips.get(0));
                assertEquals(
                        ClipState.newBuilder()
                                .setClipId(2)
                                .setKnown(true)
                                .setPersistedFrames(2)
                                .setClosed(true)
                                .build(),
                        clips.get(1));
                assertFalse(clips.get(2).getKnown());
                device.send(Messages.frame(1, 5, true));
                UplinkMessage refused = device.awaitError(ErrorCode.CLIP_CLOSED);
                assertEquals(1, refused.getError().getClipId());
                assertTrue(
                        refused.getError().getMessage().contains("the store lost records of this clip"),
                        refused.getError().getMessage());
                device.send(Messages.clipOpen(DEVICE, 4), Messages.frame(4, 0, true), Messages.clipClose(4, 1));
                device.awaitAck(4, AckKind.ACK_KIND_PERSISTED, 1, true);
            } finally {
                server.stop(Duration.ofSeconds(2));
            }
        }
    }

    private static InetSocketAddress address(UplinkServer server) {
        return server.address();
    }
}
