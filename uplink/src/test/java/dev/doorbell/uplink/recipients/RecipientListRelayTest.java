package dev.doorbell.uplink.recipients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.RecipientListResult.Status;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.testing.LogCapture;
import dev.doorbell.testing.Waits;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.session.DeviceSessionHandler;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running uplink (real TLS, real directory store) relays the newest published list of a device after Welcome when
 * Hello says an older version, byte for byte, reads a list published while it runs at the next Hello, takes every
 * RecipientListResult without an Error, and stores v2 clips.
 */
class RecipientListRelayTest {
    @TempDir
    Path data;

    private DirectoryStore store;
    private UplinkServer server;
    private InetSocketAddress address;
    private RecipientListFiles published;
    private final List<TestDeviceClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        published = new RecipientListFiles(data);
        publish("dev-a", 2);
        store = DirectoryStore.open(data, StoreOptions.defaults());
        server = new UplinkServer(TestUplink.config().dataDirectory(data).build(), store);
        address = server.start();
    }

    @AfterEach
    void stop() {
        clients.forEach(TestDeviceClient::close);
        server.stop(Duration.ofSeconds(2));
        store.close();
    }

    @Test
    void hello_olderVersion_listRelayedAfterWelcomeAsPublished() throws Exception {
        TestDeviceClient a = connect("dev-a");
        a.send(Messages.helloHolding("dev-a", 1));
        a.awaitWelcome();

        UplinkMessage update = a.await("RecipientListUpdate", UplinkMessage::hasRecipientListUpdate);

        assertArrayEquals(
                Messages.signedList("dev-a", 2),
                update.getRecipientListUpdate().getSignedList().toByteArray());
        List<UplinkMessage> received = a.received();
        assertTrue(received.indexOf(update) > 0 && received.get(0).hasWelcome(), "Welcome first: " + received);
    }

    @Test
    void hello_sameOrNewerVersion_nothingRelayed() throws Exception {
        for (long held : new long[] {2, 3, -1L}) {
            TestDeviceClient a = connect("dev-a");
            a.send(Messages.helloHolding("dev-a", held));
            a.awaitWelcome();
            a.send(Messages.ping(held));
            a.await("Pong", UplinkMessage::hasPong);

            assertFalse(
                    a.received().stream().anyMatch(UplinkMessage::hasRecipientListUpdate),
                    "held version " + Long.toUnsignedString(held) + ": " + a.received());
            a.close();
        }
    }

    @Test
    void hello_deviceWithNoListPublished_nothingRelayed() throws Exception {
        TestDeviceClient b = connect("dev-b");
        b.send(Messages.helloHolding("dev-b", 0));
        b.awaitWelcome();
        b.send(Messages.ping(5));
        b.await("Pong", UplinkMessage::hasPong);

        assertFalse(
                b.received().stream().anyMatch(UplinkMessage::hasRecipientListUpdate),
                b.received().toString());
    }

    @Test
    void publish_whileRunning_relayedAtTheNextHello() throws Exception {
        publish("dev-a", 5);
        TestDeviceClient a = connect("dev-a");
        a.send(Messages.helloHolding("dev-a", 2));
        a.awaitWelcome();

        UplinkMessage update = a.await("RecipientListUpdate", UplinkMessage::hasRecipientListUpdate);

        assertEquals(
                ByteString.copyFrom(Messages.signedList("dev-a", 5)),
                update.getRecipientListUpdate().getSignedList());
    }

    @Test
    void result_everyStatus_loggedAndTheSessionGoesOn() throws Exception {
        try (LogCapture log = new LogCapture(DeviceSessionHandler.class.getName())) {
            TestDeviceClient a = connect("dev-a");
            a.send(Messages.helloHolding("dev-a", 1));
            a.awaitWelcome();
            a.await("RecipientListUpdate", UplinkMessage::hasRecipientListUpdate);
            for (Status status : List.of(
                    Status.ACCEPTED,
                    Status.REFUSED_SIGNATURE,
                    Status.REFUSED_DEVICE,
                    Status.REFUSED_VERSION,
                    Status.REFUSED_MALFORMED)) {
                a.send(Messages.recipientListResult(2, status, "signature\tdoes not verify\n"));
            }
            a.send(Messages.clipOpen(9, Messages.signedHeader("dev-a", 9)), Messages.frame(9, 0, true));
            a.awaitAck(9, AckKind.ACK_KIND_PERSISTED, 1, false);

            assertFalse(
                    a.received().stream().anyMatch(UplinkMessage::hasError),
                    a.received().toString());
            Waits.await("the results logged", TestDeviceClient.WAIT)
                    .until(() -> log.messages().stream()
                                    .filter(m -> m.contains("recipient list version 2"))
                                    .count()
                            == 5);
            List<String> lines = log.messages();
            assertTrue(lines.contains("device dev-a accepted recipient list version 2"), lines.toString());
            assertTrue(
                    lines.contains(
                            "device dev-a refused recipient list version 2: REFUSED_SIGNATURE (signature?does not verify?)"),
                    lines.toString());
        }
    }

    private void publish(String deviceId, long version) throws Exception {
        published.publish(PublishedList.parse("test", ByteString.copyFrom(Messages.signedList(deviceId, version))));
    }

    private TestDeviceClient connect(String cert) throws Exception {
        TestDeviceClient client = TestDeviceClient.connect(address, cert);
        clients.add(client);
        return client;
    }
}
