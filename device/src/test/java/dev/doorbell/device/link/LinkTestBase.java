package dev.doorbell.device.link;

import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.testing.TestPki;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** Real TLS on loopback: the test PKI, a fake uplink per test, and one event loop group shared by clients. */
abstract class LinkTestBase {
    /** A device of the test PKI ({@link TestPki}), with its certificate. */
    static final String DEVICE = "dev-a";

    static final Duration WAIT = Duration.ofSeconds(10);

    static SslContext deviceTls;
    static EventLoopGroup group;

    FakeUplink up;
    final RecordingListener events = new RecordingListener();
    private final List<LinkClient> clients = new ArrayList<>();

    @BeforeAll
    static void pki() throws Exception {
        deviceTls = TestPki.clientContext(DEVICE);
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void startUplink() throws Exception {
        up = new FakeUplink(TestPki.serverContext());
    }

    @AfterEach
    void stopAll() {
        clients.forEach(LinkClient::close);
        up.close();
    }

    LinkConfig.Builder config() {
        return LinkConfig.builder("127.0.0.1", up.port(), DEVICE)
                .tls(deviceTls)
                .firmware("test-fw/1")
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
                .random(new Random(42))
                .connectTimeout(Duration.ofSeconds(5));
    }

    LinkClient client(LinkConfig config) {
        return client(config, RecipientListUpdates.NONE);
    }

    LinkClient client(LinkConfig config, RecipientListUpdates recipientLists) {
        LinkClient c = new LinkClient(config, group, events, recipientLists);
        clients.add(c);
        return c;
    }

    LinkClient client() {
        return client(config().build());
    }

    static List<Frame> frames(List<DeviceMessage> session, long clipId) {
        return session.stream()
                .filter(DeviceMessage::hasFrame)
                .map(DeviceMessage::getFrame)
                .filter(f -> f.getClipId() == clipId)
                .toList();
    }
}
