package dev.doorbell.fleet.faults;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipOpen;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.UplinkMessage;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A device with a valid certificate that floods the uplink with requests it must refuse, as fast as TCP lets it, and
 * reconnects at once whenever the uplink closes it (ignoring any advice to wait). Blocking TLS socket; a reader
 * thread per connection takes whatever the uplink answers, so that the uplink is never held up by a full socket.
 * Every flood is bounded by a frame count and a deadline.
 */
final class FloodingDevice {
    /** What a flood sends after Welcome. */
    enum Kind {
        /** Frames for a clip that was never opened: UNKNOWN_CLIP each. */
        UNKNOWN_CLIP,
        /** Frame 0 of a stored clip again, with other bytes each time: FRAME_CONFLICT each. */
        CONFLICTING_DUPLICATES
    }

    /** What one flood did and what came back. */
    record Result(
            long framesSent,
            int connections,
            int welcomes,
            Map<ErrorCode, Integer> errors,
            long minRetryAfterMs,
            long maxRetryAfterMs,
            Duration took) {}

    private static final Duration IO_TIMEOUT = Duration.ofSeconds(5);
    private static final long UNKNOWN_CLIP_ID = 0x5eed_0001L;
    private static final long STORED_CLIP_ID = 0x5eed_0002L;

    private final SSLContext tls;
    private final String deviceId;
    private final int port;

    FloodingDevice(DeviceDirectory device, int port) throws IOException {
        this.tls = ((JdkSslContext) SslContextBuilder.forClient()
                        .sslProvider(SslProvider.JDK)
                        .keyManager(
                                device.deviceCertFile().toFile(),
                                device.deviceKeyFile().toFile())
                        .trustManager(device.caCertFile().toFile())
                        .protocols("TLSv1.3")
                        .build())
                .context();
        this.deviceId = device.deviceId();
        this.port = port;
    }

    Result flood(Kind kind, long maxFrames, Duration maxTime) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + maxTime.toNanos();
        long sent = 0;
        int connections = 0;
        int welcomes = 0;
        Map<ErrorCode, Integer> errors = new ConcurrentHashMap<>();
        AtomicLong minRetryAfter = new AtomicLong(Long.MAX_VALUE);
        AtomicLong maxRetryAfter = new AtomicLong(0);
        while (sent < maxFrames && System.nanoTime() < deadline) {
            connections++;
            Connection c = null;
            try {
                c = new Connection(errors, minRetryAfter, maxRetryAfter);
                if (c.hello()) {
                    welcomes++;
                    if (kind == Kind.UNKNOWN_CLIP) {
                        c.unknownClipFrames(maxFrames - sent, deadline);
                    } else {
                        c.conflictingDuplicates(maxFrames - sent, deadline);
                    }
                }
            } catch (IOException e) {
                // Closed by the uplink (as it should be, sooner or later): connect again at once, as a hostile device
                // would.
            } finally {
                if (c != null) {
                    c.close();
                    sent += c.framesSent;
                }
            }
        }
        return new Result(
                sent,
                connections,
                welcomes,
                Map.copyOf(errors),
                minRetryAfter.get() == Long.MAX_VALUE ? 0 : minRetryAfter.get(),
                maxRetryAfter.get(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** One connection: the socket, and a reader thread that records what the uplink says. */
    private final class Connection {
        private final SSLSocket socket;
        private final OutputStream out;
        private final Thread reader;
        private final CountDownLatch welcomed = new CountDownLatch(1);
        private final CountDownLatch closed = new CountDownLatch(1);
        private final AtomicInteger storedFramePersisted = new AtomicInteger();
        private long framesSent;

        Connection(Map<ErrorCode, Integer> errors, AtomicLong minRetryAfter, AtomicLong maxRetryAfter)
                throws IOException {
            Socket plain = new Socket();
            plain.connect(new InetSocketAddress("127.0.0.1", port), (int) IO_TIMEOUT.toMillis());
            socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            socket.setSoTimeout((int) IO_TIMEOUT.toMillis());
            socket.startHandshake();
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            InputStream in = socket.getInputStream();
            reader = new Thread(() -> read(in, errors, minRetryAfter, maxRetryAfter), "flood-reader-" + deviceId);
            reader.setDaemon(true);
            reader.start();
        }

        /** Says Hello; true once welcomed, false when the uplink refused or closed first. */
        boolean hello() throws IOException, InterruptedException {
            send(DeviceMessage.newBuilder()
                    .setHello(Hello.newBuilder()
                            .addVersions(1)
                            .setDeviceId(deviceId)
                            .setFirmware("flooding-device/1"))
                    .build());
            out.flush();
            long deadline = System.nanoTime() + IO_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (welcomed.await(5, TimeUnit.MILLISECONDS)) {
                    return true;
                }
                if (closed.getCount() == 0) {
                    return false;
                }
            }
            return false;
        }

        void unknownClipFrames(long max, long deadline) throws IOException {
            while (framesSent < max && System.nanoTime() < deadline && closed.getCount() > 0) {
                send(frame(UNKNOWN_CLIP_ID, (int) (framesSent % 1000), framesSent));
                framesSent++;
            }
            out.flush();
        }

        void conflictingDuplicates(long max, long deadline) throws IOException, InterruptedException {
            send(DeviceMessage.newBuilder()
                    .setClipOpen(ClipOpen.newBuilder().setClipId(STORED_CLIP_ID).setHeader(header()))
                    .build());
            send(frame(STORED_CLIP_ID, 0, 0));
            framesSent++;
            out.flush();
            while (storedFramePersisted.get() == 0) {
                if (System.nanoTime() > deadline || closed.await(5, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
            while (framesSent < max && System.nanoTime() < deadline && closed.getCount() > 0) {
                send(frame(STORED_CLIP_ID, 0, framesSent));
                framesSent++;
            }
            out.flush();
        }

        private DeviceMessage frame(long clipId, int seq, long variant) {
            byte[] sealed = new byte[32];
            for (int i = 0; i < 8; i++) {
                sealed[i] = (byte) (variant >>> (8 * i));
            }
            return DeviceMessage.newBuilder()
                    .setFrame(Frame.newBuilder().setClipId(clipId).setSeq(seq).setSealed(ByteString.copyFrom(sealed)))
                    .build();
        }

        private ByteString header() {
            return ClipHeader.newBuilder()
                    .setFormatVersion(1)
                    .setDeviceId(deviceId)
                    .setClipId(STORED_CLIP_ID)
                    .setSalt(ByteString.copyFrom(new byte[32]))
                    .setNoncePrefix(ByteString.copyFrom(new byte[7]))
                    .setWidth(320)
                    .setHeight(240)
                    .setFps(10)
                    .build()
                    .toByteString();
        }

        private void send(DeviceMessage message) throws IOException {
            message.writeDelimitedTo(out);
        }

        private void read(
                InputStream in, Map<ErrorCode, Integer> errors, AtomicLong minRetryAfter, AtomicLong maxRetryAfter) {
            try {
                while (true) {
                    int first = in.read();
                    if (first < 0) {
                        return;
                    }
                    byte[] body = in.readNBytes(CodedInputStream.readRawVarint32(first, in));
                    UplinkMessage message = UplinkMessage.parseFrom(body);
                    if (message.hasWelcome()) {
                        welcomed.countDown();
                    } else if (message.hasAck()
                            && message.getAck().getClipId() == STORED_CLIP_ID
                            && message.getAck().getKind() == AckKind.ACK_KIND_PERSISTED
                            && message.getAck().getFrames() > 0) {
                        storedFramePersisted.set(1);
                    } else if (message.hasError()) {
                        errors.merge(message.getError().getCode(), 1, Integer::sum);
                        long retryAfter = message.getError().getRetryAfterMs();
                        if (retryAfter > 0) {
                            minRetryAfter.accumulateAndGet(retryAfter, Math::min);
                            maxRetryAfter.accumulateAndGet(retryAfter, Math::max);
                        }
                    }
                }
            } catch (IOException e) {
                // The uplink closed or reset the connection.
            } finally {
                closed.countDown();
            }
        }

        void close() throws InterruptedException {
            try {
                socket.close();
            } catch (IOException e) {
                // Best effort: the next connection does not depend on it.
            }
            reader.join(IO_TIMEOUT.toMillis());
        }
    }
}
