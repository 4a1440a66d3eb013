package dev.doorbell.device.link;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.RecipientListResult;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * A small uplink for tests that speaks the protocol honestly: it checks the certificate identity against Hello,
 * answers Welcome with true resume points, acks RECEIVED then PERSISTED cumulatively, deduplicates by (clip, seq),
 * and loses whatever it had not persisted when a connection drops. Faults are planned per session. All state is
 * guarded by this object's monitor; the server runs on one event loop thread.
 */
final class FakeUplink implements AutoCloseable {
    /** How the fake behaves in one session; {@link #HONEST} unless a plan was queued. */
    record SessionPlan(
            int dropAfterFrames,
            int persistLimit,
            boolean persistHeader,
            boolean sendPersistedAcks,
            boolean dropAfterClose,
            boolean silent) {
        static final SessionPlan HONEST = new SessionPlan(-1, Integer.MAX_VALUE, true, true, false, false);

        static SessionPlan dropAfter(int frames, int persistLimit, boolean persistHeader) {
            return new SessionPlan(frames, persistLimit, persistHeader, true, false, false);
        }

        static SessionPlan persistAllThenDropWithoutAcks() {
            return new SessionPlan(-1, Integer.MAX_VALUE, true, false, true, false);
        }

        static SessionPlan silentAfterWelcome() {
            return new SessionPlan(-1, Integer.MAX_VALUE, true, true, false, true);
        }
    }

    /** One clip as the store holds it: durable parts survive a dropped connection, pending parts do not. */
    static final class StoredClip {
        ByteString header;
        boolean headerDurable;
        final List<ByteString> durable = new ArrayList<>();
        final List<ByteString> pending = new ArrayList<>();
        boolean closePending;
        boolean closeDurable;

        int received() {
            return durable.size() + pending.size();
        }

        ByteString frame(int seq) {
            return seq < durable.size() ? durable.get(seq) : pending.get(seq - durable.size());
        }
    }

    volatile int windowFrames = 64;
    volatile int windowBytes = 16 * 1024 * 1024;
    volatile int heartbeatMs;
    volatile int maxFrameBytes = 1024 * 1024;
    volatile long persistDelayMs;
    volatile long welcomeDelayMs;

    final Map<Long, StoredClip> clips = new LinkedHashMap<>();
    final List<List<DeviceMessage>> sessions = new ArrayList<>();
    final List<Integer> messagesBeforeWelcome = new ArrayList<>();
    final List<String> identities = new ArrayList<>();
    final Map<String, ErrorCode> injectedErrors = new HashMap<>();
    final Queue<SessionPlan> plans = new ArrayDeque<>();
    /** Each entry is relayed once, as a RecipientListUpdate right after the Welcome of the next session. */
    final Queue<ByteString> listsToRelay = new ArrayDeque<>();
    /** Each entry closes one session at its first Frame with TOO_MANY_ERRORS naming that many ms to wait. */
    final Queue<Integer> tooManyErrors = new ArrayDeque<>();
    /** System.nanoTime when each session's connection came up, and when a TOO_MANY_ERRORS was sent. */
    final List<Long> sessionStarts = new ArrayList<>();

    final List<Long> tooManyErrorsSent = new ArrayList<>();
    int maxPendingFrames;
    long maxPendingBytes;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    FakeUplink(SslContext serverContext) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(
                                        serverContext.newHandler(ch.alloc()),
                                        new ProtobufVarint32FrameDecoder(),
                                        new ProtobufDecoder(DeviceMessage.getDefaultInstance()),
                                        new ProtobufVarint32LengthFieldPrepender(),
                                        new ProtobufEncoder(),
                                        new FakeSession(FakeUplink.this, nextPlan()));
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    synchronized void plan(SessionPlan plan) {
        plans.add(plan);
    }

    /** The next Frame (clip, seq) is refused once with this code; codes from 40 up are retriable. */
    synchronized void injectError(long clipId, int seq, ErrorCode code) {
        injectedErrors.put(clipId + "/" + seq, code);
    }

    private synchronized SessionPlan nextPlan() {
        SessionPlan p = plans.poll();
        return p == null ? SessionPlan.HONEST : p;
    }

    synchronized void relayAtNextWelcome(byte[] signedList) {
        listsToRelay.add(ByteString.copyFrom(signedList));
    }

    /** Every RecipientListResult the device sent, in order, over all sessions. */
    synchronized List<RecipientListResult> recipientListResults() {
        return sessions.stream()
                .flatMap(List::stream)
                .filter(DeviceMessage::hasRecipientListResult)
                .map(DeviceMessage::getRecipientListResult)
                .toList();
    }

    /** The Hello of each session, in order. */
    synchronized List<Hello> hellos() {
        return sessions.stream()
                .flatMap(List::stream)
                .filter(DeviceMessage::hasHello)
                .map(DeviceMessage::getHello)
                .toList();
    }

    synchronized int sessionCount() {
        return sessions.size();
    }

    synchronized List<DeviceMessage> session(int index) {
        return new ArrayList<>(sessions.get(index));
    }

    /** The durable sealed bytes of a clip, or an empty list. */
    synchronized List<ByteString> durableFrames(long clipId) {
        StoredClip c = clips.get(clipId);
        return c == null ? List.of() : new ArrayList<>(c.durable);
    }

    synchronized boolean closedDurably(long clipId) {
        StoredClip c = clips.get(clipId);
        return c != null && c.closeDurable;
    }

    /** Called under the monitor whenever a frame is accepted, to record the most the device had unpersisted. */
    void observePending() {
        int frames = 0;
        long bytes = 0;
        for (StoredClip c : clips.values()) {
            frames += c.pending.size();
            for (ByteString b : c.pending) {
                bytes += b.size();
            }
        }
        maxPendingFrames = Math.max(maxPendingFrames, frames);
        maxPendingBytes = Math.max(maxPendingBytes, bytes);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
