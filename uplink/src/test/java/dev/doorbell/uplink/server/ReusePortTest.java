package dev.doorbell.uplink.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.doorbell.testing.Waits;
import dev.doorbell.uplink.testing.InMemoryClipStore;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import dev.doorbell.wire.Transports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code serve --reuse-port}: several uplink servers, each with its own store, listen on one port (epoll only). */
class ReusePortTest {
    private static final int CONNECTIONS = 24;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void needsEpoll() {
        assumeTrue(Transports.epoll(), "SO_REUSEPORT needs the epoll transport");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void start_twoServersWithReusePort_bothBindOnePortAndShareConnections() throws Exception {
        UplinkServer first = server(TestUplink.config().reusePort(true));
        int port = first.start().getPort();
        UplinkServer second = server(TestUplink.config().port(port).reusePort(true));
        assertEquals(port, second.start().getPort());

        for (int i = 0; i < CONNECTIONS; i++) {
            TestDeviceClient c = TestDeviceClient.connect(new InetSocketAddress("127.0.0.1", port), "dev-a");
            open.add(c);
        }
        Waits.await("every connection held by one of the servers", Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(
                        CONNECTIONS,
                        first.registry().connectionCount() + second.registry().connectionCount()));
        int a = first.registry().connectionCount();
        int b = second.registry().connectionCount();
        assertEquals(CONNECTIONS, a + b, "connections held: " + a + " + " + b);
        // The kernel hashes each connection to one listener; 24 all landing on one has a chance of 2^-23.
        assertTrue(a > 0 && b > 0, "connections spread over both servers: " + a + " and " + b);
    }

    @Test
    void start_sessionThroughSharedPort_isWelcomed() throws Exception {
        UplinkServer first = server(TestUplink.config().reusePort(true));
        int port = first.start().getPort();
        server(TestUplink.config().port(port).reusePort(true)).start();

        TestDeviceClient c = TestDeviceClient.connect(new InetSocketAddress("127.0.0.1", port), "dev-b");
        open.add(c);
        c.send(Messages.hello("dev-b"));
        assertTrue(c.awaitWelcome().hasWelcome());
    }

    @Test
    void start_secondServerWithoutReusePort_failsToBind() throws Exception {
        UplinkServer first = server(TestUplink.config().reusePort(true));
        int port = first.start().getPort();
        UplinkServer second = server(TestUplink.config().port(port));

        IOException e = assertThrows(IOException.class, second::start);
        assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + port), e.getMessage());
    }

    private UplinkServer server(UplinkConfig.Builder config) {
        InMemoryClipStore store = new InMemoryClipStore();
        UplinkServer server = new UplinkServer(config.build(), store);
        open.add(store);
        open.add(() -> server.stop(Duration.ofSeconds(2)));
        return server;
    }
}
