package dev.doorbell.fleet.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay itself, over real loopback sockets against an echo server: bytes pass unchanged, resets are RSTs. */
class FaultProxyRelayTest {
    private static final int PAYLOAD = 200_000;

    private ServerSocket echo;
    private Thread echoThread;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        echoThread = new Thread(
                () -> {
                    // Bounded: one connection at a time, until the server socket is closed after the test.
                    while (!echo.isClosed()) {
                        try (Socket s = echo.accept()) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException e) {
                            // The client or the proxy went away; accept the next connection.
                        }
                    }
                },
                "echo");
        echoThread.setDaemon(true);
        echoThread.start();
    }

    @AfterEach
    void stopEcho() throws Exception {
        echo.close();
        echoThread.join(5_000);
    }

    @Test
    void relay_oneByteWritesDelaysAndStall_bytesArriveUnchangedAndFaultsCounted() throws Exception {
        FaultPlan plan = FaultPlan.none()
                .withOneByteWrites(1, 5000)
                .withDelays(1, Duration.ofMillis(50))
                .withStalls(1, Duration.ofMillis(300))
                .withFaultWithin(Duration.ofMillis(100));
        try (FaultProxy proxy = new FaultProxy(new InetSocketAddress("127.0.0.1", 0), target(), plan, 11)) {
            byte[] sent = new byte[PAYLOAD];
            new Random(5).nextBytes(sent);
            byte[] back = roundTrip(proxy.start(), sent);
            assertArrayEquals(sent, back);
            FaultStats stats = proxy.stats();
            assertEquals(1, stats.connections());
            assertEquals(10_000, stats.oneByteWrites(), stats.line());
            assertEquals(1, stats.delayedConnections(), stats.line());
            assertEquals(1, stats.stalls(), stats.line());
            assertEquals(PAYLOAD, stats.bytesUp());
            assertEquals(0, stats.resets());
        }
    }

    @Test
    void relay_resetAfterBytes_clientSeesConnectionReset() throws Exception {
        FaultPlan plan = FaultPlan.none().withResets(1, 1000).withFaultWithin(Duration.ofSeconds(30));
        try (FaultProxy proxy = new FaultProxy(new InetSocketAddress("127.0.0.1", 0), target(), plan, 11)) {
            InetSocketAddress at = proxy.start();
            IOException e = assertThrows(IOException.class, () -> roundTrip(at, new byte[PAYLOAD]));
            String message = String.valueOf(e.getMessage()).toLowerCase();
            assertTrue(message.contains("reset") || message.contains("broken pipe"), e.toString());
            assertEquals(1, proxy.stats().resets(), proxy.stats().line());
        }
    }

    @Test
    void relay_halfOpen_noBytesFlowThenReset() throws Exception {
        FaultPlan plan =
                FaultPlan.none().withHalfOpen(1, Duration.ofMillis(1000)).withFaultWithin(Duration.ofMillis(1));
        try (FaultProxy proxy = new FaultProxy(new InetSocketAddress("127.0.0.1", 0), target(), plan, 11);
                Socket s = new Socket()) {
            s.connect(proxy.start(), 2_000);
            s.setSoTimeout(5_000);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (proxy.stats().halfOpens() == 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            long t0 = System.nanoTime();
            s.getOutputStream().write(new byte[100]);
            assertThrows(IOException.class, () -> s.getInputStream().read());
            assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(500).toNanos(), "held open before the reset");
            assertEquals(1, proxy.stats().halfOpens(), proxy.stats().line());
            assertEquals(
                    0,
                    proxy.stats().bytesUp() + proxy.stats().bytesDown(),
                    proxy.stats().line());
        }
    }

    private InetSocketAddress target() {
        return new InetSocketAddress("127.0.0.1", echo.getLocalPort());
    }

    /** Writes everything on one thread while reading the echo on this one; times out rather than hangs. */
    private static byte[] roundTrip(InetSocketAddress at, byte[] sent) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(at, 2_000);
            s.setSoTimeout(10_000);
            IOException[] writeFailure = new IOException[1];
            Thread writer = new Thread(
                    () -> {
                        try {
                            OutputStream out = s.getOutputStream();
                            out.write(sent);
                            out.flush();
                        } catch (IOException e) {
                            writeFailure[0] = e;
                        }
                    },
                    "writer");
            writer.start();
            byte[] back = new byte[sent.length];
            InputStream in = s.getInputStream();
            int got = 0;
            while (got < back.length) {
                int n = in.read(back, got, back.length - got);
                if (n < 0) {
                    // The kernel reports a reset to one system call only: if the writer's write took it, the reader
                    // sees EOF.
                    writer.join(10_000);
                    throw new IOException("closed after " + got + " bytes"
                            + (writeFailure[0] == null ? "" : "; the write failed: " + writeFailure[0].getMessage()));
                }
                got += n;
            }
            writer.join(10_000);
            return back;
        }
    }
}
