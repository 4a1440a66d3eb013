package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestPki;
import dev.doorbell.uplink.testing.TestUplink;
import io.netty.channel.Channel;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A device that sends and never reads must not make the uplink hold its answers without end: while the connection
 * is not writable, the uplink stops reading it.
 */
class SlowReaderTest {
  private TestUplink uplink;

  @AfterEach
  void stop() {
    if (uplink != null) {
      uplink.close();
    }
  }

  @Test
  void pings_deviceThatNeverReads_uplinkStopsReadingItAndBuffersLittle() throws Exception {
    uplink = TestUplink.start();
    long maxPending = 2L << 20;
    Socket plain = new Socket();
    try {
      // A small receive buffer fills with Pongs at once, as a device's memory would; the kernel's default holds MBs.
      plain.setReceiveBufferSize(16 * 1024);
      plain.connect(uplink.address);
      SSLSocket socket = tls(plain, "dev-a");
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
      Messages.hello("dev-a").writeDelimitedTo(out);
      out.flush();
      awaitCondition("a session for dev-a", () -> uplink.server.registry().sessionCount() == 1);
      Channel channel = uplink.server.registry().connections().iterator().next();
      AtomicLong sent = new AtomicLong();
      // Pings with the longest token (a 10-byte varint), written 64 KiB at a time: the uplink's socket buffers take
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
      Thread writer = new Thread(() -> {
        try {
          // At most 64 MB, far more than the socket buffers of both ends hold; never a byte read back.
          for (int i = 0; i < 1024; i++) {
            out.write(pings);
            sent.addAndGet(perChunk);
          }
          out.flush();
        } catch (IOException e) {
          // Closed at the end of the test while blocked: expected.
        }
      }, "never-reading-device");
      writer.setDaemon(true);
      writer.start();
      long maxSeen = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (channel.config().isAutoRead() && writer.isAlive() && System.nanoTime() < deadline) {
        maxSeen = Math.max(maxSeen, pendingBytes(channel));
        LockSupport.parkNanos(1_000_000);
      }
      assertFalse(channel.config().isAutoRead(), "the uplink stopped reading after " + sent.get() + " Pings; "
          + pendingBytes(channel) + " bytes pending");
      maxSeen = Math.max(maxSeen, pendingBytes(channel));
      assertTrue(maxSeen < maxPending, maxSeen + " bytes of Pongs held for a device that reads nothing");
    } finally {
      // The socket itself, not its TLS layer (that would wait for the blocked writer's lock): the writer then fails.
      plain.close();
    }
  }

  private static long pendingBytes(Channel channel) {
    return channel.unsafe().outboundBuffer() == null ? 0 : channel.unsafe().outboundBuffer().totalPendingWriteBytes();
  }

  private SSLSocket tls(Socket plain, String certName) throws Exception {
    SSLContext tls = ((JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
        .keyManager(TestPki.file(certName + "-cert.pem").toFile(), TestPki.file(certName + "-key.pem").toFile())
        .trustManager(TestPki.file("ca-cert.pem").toFile()).protocols("TLSv1.3").build()).context();
    SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", uplink.address.getPort(),
        true);
    socket.startHandshake();
    return socket;
  }

  private static void awaitCondition(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TestDeviceClient.WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " within " + TestDeviceClient.WAIT);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
