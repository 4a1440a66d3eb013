package dev.doorbell.conformance;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.UplinkMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One device connection speaking raw protocol messages over a blocking TLS socket, so that a conformance case can
 * send what a well-behaved client never would (bad prefixes, oversized lengths, a second Hello) and see exactly what
 * comes back. Every message both ways goes into the {@link Transcript}; every read has a deadline.
 */
final class RawSession implements AutoCloseable {
    /** Larger uplink messages are refused before they are buffered: the uplink sends only small messages. */
    static final int MAX_INBOUND_BYTES = 1 << 20;

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Transcript transcript;
    private final String label;
    private final Deque<UplinkMessage> unread = new ArrayDeque<>();
    private boolean closedByPeer;
    /** Why the connection closed when a read failed (a reset, a TLS alert), or null. */
    private IOException closeCause;

    private RawSession(SSLSocket socket, Transcript transcript, String label) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.transcript = transcript;
        this.label = label;
    }

    /** Connects and completes the TLS 1.3 handshake; the uplink's certificate must name {@code host}. */
    static RawSession connect(
            SSLContext tls, String host, int port, Duration timeout, Transcript transcript, String label)
            throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3"});
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout((int) timeout.toMillis());
        socket.startHandshake();
        transcript.note(label + ": TLS 1.3 connected");
        return new RawSession(socket, transcript, label);
    }

    void send(DeviceMessage message) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        message.writeDelimitedTo(bytes);
        transcript.deviceSent(label, bytes.toByteArray(), message);
        out.write(bytes.toByteArray());
        out.flush();
    }

    /** Sends bytes that are not a well-formed message; {@code what} describes them for the transcript. */
    void sendRaw(byte[] bytes, String what) throws IOException {
        transcript.deviceSentRaw(label, bytes, what);
        out.write(bytes);
        out.flush();
    }

    /**
     * The next uplink message, or null when the uplink closed the connection or nothing came within {@code wait}
     * (then {@link #closedByPeer()} tells which).
     */
    UplinkMessage next(Duration wait) throws IOException {
        if (!unread.isEmpty()) {
            return unread.poll();
        }
        if (closedByPeer) {
            return null;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
        try {
            byte[] body = readDelimited(deadline);
            if (body == null) {
                closedByPeer = true;
                transcript.note(label + ": uplink closed the connection");
                return null;
            }
            UplinkMessage message = UplinkMessage.parseFrom(body);
            ByteArrayOutputStream framed = new ByteArrayOutputStream();
            CodedOutputStream coded = CodedOutputStream.newInstance(framed);
            coded.writeUInt32NoTag(body.length);
            coded.flush();
            framed.write(body);
            transcript.uplinkSent(label, framed.toByteArray(), message);
            return message;
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            // A reset after a fatal Error is the uplink closing too; the case decides whether that was expected.
            if (socket.isClosed()) {
                throw e;
            }
            closedByPeer = true;
            closeCause = e;
            transcript.note(label + ": connection closed (" + e.getClass().getSimpleName() + ")");
            return null;
        }
    }

    /** Puts a message back, so that a case can look past it and leave it for the next read. */
    void pushBack(UplinkMessage message) {
        unread.push(message);
    }

    boolean closedByPeer() {
        return closedByPeer;
    }

    /** The failed read that closed the connection (a reset, a TLS alert in TLS 1.3), or null. */
    IOException closeCause() {
        return closeCause;
    }

    private byte[] readDelimited(long deadline) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int length = CodedInputStream.readRawVarint32(first, in);
        if (length < 0 || length > MAX_INBOUND_BYTES) {
            throw new IOException(label + ": uplink message of " + Integer.toUnsignedString(length) + " bytes refused");
        }
        byte[] body = new byte[length];
        int read = 0;
        while (read < length) {
            if (System.nanoTime() > deadline) {
                throw new SocketTimeoutException(label + ": uplink message cut short");
            }
            int n = in.read(body, read, length - read);
            if (n < 0) {
                throw new IOException(label + ": uplink closed in the middle of a message");
            }
            read += n;
        }
        return body;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing is best effort: the case's verdict is already decided.
        }
    }
}
