package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.testing.TestPki;
import dev.doorbell.testing.Waits;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import io.netty.channel.Channel;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A device that sends and never reads must not make the uplink hold its answers without end: while the connection
 * is not writable, the uplink stops reading it.
 */
class SlowReaderTest {
    @AutoClose
    private TestUplink uplink;

    @Test
    void pings_deviceThatNeverReads_uplinkStopsReadingItAndBuffersLittle() throws Exception {
        uplink = TestUplink.start();
        long maxPending = 2L << 20;
        Socket plain = new Socket();
        try {
            // A small receive buffer fills with Pongs at once, as a device's memory would; the kernel's default holds
            // MBs.
            plain.setReceiveBufferSize(16 * 1024);
            plain.connect(uplink.address);
            SSLSocket socket = tls(plain, "dev-a");
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            Messages.hello("dev-a").writeDelimitedTo(out);
            out.flush();
            Waits.await("a session for dev-a", TestDeviceClient.WAIT)
                    .until(() -> uplink.server.registry().sessionCount() == 1);
            Channel channel = uplink.server.registry().connections().iterator().next();
            AtomicLong sent = new AtomicLong();
            // Pings with the longest token (a 10-byte varint), written 64 KiB at a time: the uplink's socket buffers
            // take
            // megabytes of Pongs before anything is left to pile up in the uplink itself.
            ByteArrayOutputStream chunk = new ByteArrayOutputStream();
            DeviceMessage ping = Messages.ping(-1L);
            int pingsPerChunk = 0;
            while (chunk.size() < 64 * 1024) {
                ping.writeDelimitedTo(chunk);
                pingsPerChunk++;
            }
            byte[] pings = chunk.toByteArray();
            int perChunk = pingsPerChunk;
            Thread writer = new Thread(
                    () -> {
                        try {
                            // At most 64 MB, far more than the socket buffers of both ends hold; never a byte read
                            // back.
                            for (int i = 0; i < 1024; i++) {
                                out.write(pings);
                                sent.addAndGet(perChunk);
                            }
                            out.flush();
                        } catch (IOException e) {
                            // Closed at the end of the test while blocked: expected.
                        }
                    },
                    "never-reading-device");
            writer.setDaemon(true);
            writer.start();
            AtomicLong maxSeen = new AtomicLong();
            // Sampled every millisecond while waiting: what the uplink holds for the device must stay small all along.
            Waits.await("the uplink to stop reading a device that reads nothing", Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(1))
                    .failFast(
                            "the device stopped writing (all its Pings written, or the connection closed) while the uplink "
                                    + "still read it",
                            () -> !writer.isAlive() && channel.config().isAutoRead())
                    .until(() -> {
                        maxSeen.accumulateAndGet(pendingBytes(channel), Math::max);
                        return !channel.config().isAutoRead();
                    });
            maxSeen.accumulateAndGet(pendingBytes(channel), Math::max);
            assertTrue(
                    maxSeen.get() < maxPending,
                    maxSeen + " bytes of Pongs held for a device that reads nothing after " + sent.get() + " Pings");
        } finally {
            // The socket itself, not its TLS layer (that would wait for the blocked writer's lock): the writer then
            // fails.
            plain.close();
        }
    }

    private static long pendingBytes(Channel channel) {
        return channel.unsafe().outboundBuffer() == null
                ? 0
                : channel.unsafe().outboundBuffer().totalPendingWriteBytes();
    }

    private SSLSocket tls(Socket plain, String certName) throws Exception {
        SSLContext tls = ((JdkSslContext) TestPki.clientBuilder(certName)
                        .sslProvider(SslProvider.JDK)
                        .build())
                .context();
        SSLSocket socket =
                (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", uplink.address.getPort(), true);
        socket.startHandshake();
        return socket;
    }
}
