package dev.doorbell.uplink.testing;

import dev.doorbell.testing.TestPki;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A real uplink server on an ephemeral loopback port with an in-memory store, and the clients connected to it. */
public final class TestUplink implements AutoCloseable {
    public final InMemoryClipStore store = new InMemoryClipStore();
    public final UplinkServer server;
    public final InetSocketAddress address;
    private final List<TestDeviceClient> clients = new ArrayList<>();

    private TestUplink(UplinkConfig config) throws Exception {
        server = new UplinkServer(config, store);
        address = server.start();
    }

    /** A server config with the test PKI's certificate ({@link TestPki#dir()}), on 127.0.0.1 and an ephemeral port. */
    public static UplinkConfig.Builder config() {
        return UplinkConfig.builder().host("127.0.0.1").port(0).tlsDirectory(TestPki.dir());
    }

    public static TestUplink start() throws Exception {
        return start(UnaryOperator.identity());
    }

    /** Starts with the test PKI and the limits that {@code tweak} sets. */
    public static TestUplink start(UnaryOperator<UplinkConfig.Builder> tweak) throws Exception {
        return new TestUplink(tweak.apply(config()).build());
    }

    public TestDeviceClient connect(String certName) throws Exception {
        TestDeviceClient client = TestDeviceClient.connect(address, certName);
        clients.add(client);
        return client;
    }

    /** Connects as {@code deviceId} with its own certificate, says Hello and waits for Welcome. */
    public TestDeviceClient session(String deviceId, long... openClips) throws Exception {
        TestDeviceClient client = connect(deviceId);
        client.send(Messages.hello(deviceId, openClips));
        client.awaitWelcome();
        return client;
    }

    @Override
    public void close() {
        clients.forEach(TestDeviceClient::close);
        server.stop(Duration.ofSeconds(2));
        store.close();
    }
}
