package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.cli.ops.MetricsEndpoint;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.testing.PrometheusText;
import dev.doorbell.testing.PrometheusText.Family;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A header or frame sent again for a closed clip in compact form is answered by reading the store's segments, on the
 * session's event loop. A device resending a few after a reconnect is answered as always; one resending old records
 * in a loop is closed with TOO_MANY_ERRORS once its error limit is spent, and cannot make the uplink read at will.
 * Real store files, a real server on loopback, real TLS, its /metrics scraped over HTTP.
 */
class ReadBackLimitTest {
    private static final int MAX_ERRORS = 10;
    private static final int CLIPS = 3;
    private static final int FRAMES = 4;

    @TempDir
    Path data;

    private DirectoryStore store;
    private UplinkServer server;
    private final List<TestDeviceClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(TestDeviceClient::close);
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void resendsOfCompactClips_aFewAnswered_aLoopClosedWithTooManyErrors() throws Exception {
        // No clip keeps its full form once closed: every resend below is read back from disk.
        store = DirectoryStore.open(data, StoreOptions.defaults().withIndexClosedClips(0));
        server = new UplinkServer(
                TestUplink.config()
                        .errorLimit(MAX_ERRORS, Duration.ofSeconds(60), Duration.ofSeconds(30))
                        .build(),
                store);
        InetSocketAddress address = server.start();
        TestDeviceClient first = session(address, "dev-a");
        for (long clip = 1; clip <= CLIPS; clip++) {
            first.send(Messages.clipOpen("dev-a", clip));
            for (int seq = 0; seq < FRAMES; seq++) {
                first.send(Messages.frame(clip, seq, seq == FRAMES - 1));
            }
            first.send(Messages.clipClose(clip, FRAMES));
            first.awaitAck(clip, AckKind.ACK_KIND_PERSISTED, FRAMES, true);
        }
        first.close();
        assertTrue(first.awaitClosed());

        // After a reconnect: a few resends, as a device unsure of its last acks sends them.
        TestDeviceClient again = session(address, "dev-a");
        again.send(Messages.clipOpen("dev-a", 2), Messages.frame(2, 1, false), Messages.frame(2, FRAMES - 1, true));
        again.send(Messages.ping(1));
        again.await("Pong", UplinkMessage::hasPong);
        assertTrue(again.isOpen());
        assertTrue(
                again.received().stream().noneMatch(UplinkMessage::hasError),
                again.received().toString());
        again.close();
        assertTrue(again.awaitClosed());

        // A device stuck resending one old frame, in a bounded loop: closed once the limit is spent.
        TestDeviceClient looping = session(address, "dev-a");
        int sent = 0;
        for (; sent < 5 * MAX_ERRORS && looping.isOpen(); sent++) {
            looping.send(Messages.frame(1, 0, false));
        }
        Error error = looping.awaitError(ErrorCode.TOO_MANY_ERRORS).getError();
        assertTrue(error.getFatal() && error.getRetryAfterMs() == 30_000, error.toString());
        assertTrue(
                error.getMessage().contains("device dev-a")
                        && error.getMessage().contains("read back from disk")
                        && error.getMessage().contains("clip 1 frame 0"),
                error.getMessage());
        assertTrue(looping.awaitClosed());
        long answered = looping.received().stream()
                .filter(m -> m.hasAck() && m.getAck().getKind() == AckKind.ACK_KIND_RECEIVED)
                .count();
        assertTrue(answered <= MAX_ERRORS, answered + " resends answered of " + sent + " sent");
        assertEquals(
                1, looping.received().stream().filter(UplinkMessage::hasError).count());

        try (MetricsEndpoint endpoint =
                MetricsEndpoint.start("127.0.0.1", 0, server.metrics().registry(), server::readiness)) {
            Map<String, Family> scrape = scrape(endpoint);
            Family clips = scrape.get("doorbell_uplink_index_clips");
            assertEquals(CLIPS, clips.value("doorbell_uplink_index_clips", Map.of("form", "compact")));
            assertEquals(0, clips.value("doorbell_uplink_index_clips", Map.of("form", "full")));
            assertTrue(scrape.get("doorbell_uplink_index_bytes")
                            .value("doorbell_uplink_index_bytes", Map.of("form", "compact"))
                    > 0);
            // Three resends after the reconnect, then the loop's: those within the limit and the one past it.
            assertEquals(
                    3 + MAX_ERRORS + 1,
                    scrape.get("doorbell_uplink_store_read_backs_total")
                            .value("doorbell_uplink_store_read_backs_total", Map.of()));
        }
    }

    private static Map<String, Family> scrape(MetricsEndpoint endpoint) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + endpoint.address().getPort() + "/metrics"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return PrometheusText.parse(response.body());
    }

    private TestDeviceClient session(InetSocketAddress address, String deviceId) throws Exception {
        TestDeviceClient client = TestDeviceClient.connect(address, deviceId);
        clients.add(client);
        client.send(Messages.hello(deviceId));
        client.awaitWelcome();
        return client;
    }
}
