package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ClipState;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.store.StoreReader;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device with a valid certificate still cannot read, resume or write another device's clips: the real directory
 * store is keyed by the certificate's identity, so another device's clip id is simply unknown to it.
 */
class CrossDeviceIsolationTest {
    @TempDir
    Path data;

    private DirectoryStore store;
    private UplinkServer server;
    private final List<TestDeviceClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        clients.forEach(TestDeviceClient::close);
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void otherDevice_resumeWriteAndClose_unknownAndVictimUntouched() throws Exception {
        store = DirectoryStore.open(data, StoreOptions.defaults());
        server = new UplinkServer(TestUplink.config().build(), store);
        InetSocketAddress address = server.start();
        TestDeviceClient a = session(address, "dev-a");
        a.send(Messages.clipOpen("dev-a", 7), Messages.frame(7, 0, false), Messages.frame(7, 1, false));
        a.awaitAck(7, AckKind.ACK_KIND_PERSISTED, 2, false);

        TestDeviceClient b = connect(address, "dev-b");
        b.send(Messages.hello("dev-b", 7));
        ClipState resume = b.awaitWelcome().getWelcome().getClips(0);
        assertFalse(resume.getKnown(), "dev-b must not learn that dev-a has a clip 7");
        assertEquals(0, resume.getPersistedFrames());

        b.send(Messages.frame(7, 2, false));
        UplinkMessage unknown = b.awaitError(ErrorCode.UNKNOWN_CLIP);
        assertTrue(
                unknown.getError().getMessage().contains("dev-b"),
                unknown.getError().getMessage());
        b.send(Messages.clipClose(7, 2));
        b.await(
                "second UNKNOWN_CLIP",
                m -> m.hasError()
                        && m.getError().getCode() == ErrorCode.UNKNOWN_CLIP
                        && !m.getError().getHasSeq());
        b.send(Messages.clipOpen(7, Messages.header("dev-a", 7)));
        b.awaitError(ErrorCode.BAD_HEADER);
        assertTrue(b.isOpen(), "clip errors are not fatal");

        a.send(Messages.frame(7, 2, true), Messages.clipClose(7, 3));
        a.awaitAck(7, AckKind.ACK_KIND_PERSISTED, 3, true);
        assertNull(store.status("dev-b", 7), "nothing was stored under dev-b");
        server.stop(Duration.ofSeconds(2));
        server = null;
        store.close();
        store = null;
        try (StoreReader reader = StoreReader.open(data)) {
            StoreReader.Clip victim = reader.clip("dev-a", 7);
            assertEquals(3, victim.frames().size());
            assertTrue(victim.closed());
            for (int seq = 0; seq < 3; seq++) {
                assertArrayEquals(
                        Messages.frame(7, seq, seq == 2).getFrame().getSealed().toByteArray(),
                        victim.frames().get(seq).sealed(),
                        "dev-a's frame " + seq + " as dev-a sent it");
            }
            assertNull(reader.clip("dev-b", 7));
        }
    }

    private TestDeviceClient connect(InetSocketAddress address, String cert) throws Exception {
        TestDeviceClient client = TestDeviceClient.connect(address, cert);
        clients.add(client);
        return client;
    }

    private TestDeviceClient session(InetSocketAddress address, String deviceId) throws Exception {
        TestDeviceClient client = connect(address, deviceId);
        client.send(Messages.hello(deviceId));
        client.awaitWelcome();
        return client;
    }
}
