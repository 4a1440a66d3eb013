package dev.doorbell.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Peers on 127.0.0.1 that are not what a client expects: nothing at all, or a server that is not TLS. */
public final class LoopbackPeers {
    private LoopbackPeers() {}

    /** A port on 127.0.0.1 that nothing listens on (bound, then released). */
    public static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A TCP server on 127.0.0.1 that answers every connection with the same reply (or nothing) and closes it. */
    public static final class CannedReply implements AutoCloseable {
        private final ServerSocket socket;

        public CannedReply(String reply) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(
                    () -> {
                        while (!socket.isClosed()) {
                            try (Socket s = socket.accept();
                                    OutputStream out = s.getOutputStream()) {
                                out.write(reply.getBytes(StandardCharsets.US_ASCII));
                                out.flush();
                            } catch (IOException e) {
                                // Closed by close(), or a client that went away: either way the next accept decides.
                            }
                        }
                    },
                    "canned-reply");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        public int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
