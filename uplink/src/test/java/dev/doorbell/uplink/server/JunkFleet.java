package dev.doorbell.uplink.server;

import dev.doorbell.testing.Waits;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Clients that never become devices: each connection sends random garbage, or the first half of a real TLS 1.3
 * ClientHello, or nothing, and then waits for the server to close it, reading and dropping whatever comes back. It
 * records how long after the connect call the server closed each one. All on one event loop; everything seeded.
 */
final class JunkFleet implements AutoCloseable {
    enum Kind {
        GARBAGE,
        HALF_CLIENT_HELLO,
        SILENCE
    }

    /** closed: connections the server closed; slowest: the longest; earliestSilent: the shortest of the waiting kinds. */
    record Report(int connected, int closed, long slowestMillis, long earliestSilentMillis) {}

    private record Closing(Kind kind, long millis) {}

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final InetSocketAddress server;
    private final List<String> sources;
    private final Random random;
    private final byte[] halfHello;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final ConcurrentLinkedQueue<Closing> closings = new ConcurrentLinkedQueue<>();
    private final List<Channel> channels = new ArrayList<>();

    JunkFleet(InetSocketAddress server, List<String> sources, long seed) throws GeneralSecurityException, SSLException {
        this.server = server;
        this.sources = sources;
        this.random = new Random(seed);
        byte[] hello = clientHello();
        this.halfHello = Arrays.copyOf(hello, hello.length / 2);
    }

    /** Starts {@code count} connections without waiting for them: kinds in turn, source addresses in turn. */
    void connectAll(int count) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 15_000);
        for (int i = 0; i < count; i++) {
            Kind kind = Kind.values()[i % Kind.values().length];
            byte[] payload = switch (kind) {
                case GARBAGE -> garbage();
                case HALF_CLIENT_HELLO -> halfHello;
                case SILENCE -> null;
            };
            InetSocketAddress local = new InetSocketAddress(sources.get(i % sources.size()), 0);
            Channel channel = bootstrap
                    .clone()
                    .handler(new Junk(kind, payload, System.nanoTime()))
                    .connect(server, local)
                    .addListener(f -> (f.isSuccess() ? connected : failed).incrementAndGet())
                    .channel();
            channels.add(channel);
        }
    }

    /** Waits until every connection attempt has succeeded or failed, or the limit passed; returns the successes. */
    int awaitConnected(Duration limit) {
        awaitOrReport(
                "every junk connection attempt decided",
                limit,
                () -> connected.get() + failed.get() >= channels.size());
        return connected.get();
    }

    /** Waits until every established connection was closed, or the limit passed. */
    Report awaitAllClosed(Duration limit) {
        awaitOrReport("every junk connection closed", limit, () -> closings.size() >= connected.get());
        long slowest = closings.stream().mapToLong(Closing::millis).max().orElse(-1);
        long earliestSilent = closings.stream()
                .filter(c -> c.kind() != Kind.GARBAGE)
                .mapToLong(Closing::millis)
                .min()
                .orElse(-1);
        return new Report(connected.get(), closings.size(), slowest, earliestSilent);
    }

    /** Waits for {@code what}; at the limit it returns, and the caller's assertion fails with the counts reached. */
    private static void awaitOrReport(String what, Duration limit, Callable<Boolean> condition) {
        try {
            Waits.await(what, limit).until(condition);
        } catch (ConditionTimeoutException e) {
            // Reported by the caller, with the counts.
        }
    }

    @Override
    public void close() {
        channels.forEach(Channel::close);
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).awaitUninterruptibly(10_000);
    }

    private byte[] garbage() {
        byte[] bytes = new byte[1 + random.nextInt(1024)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** The first flight of a real TLS 1.3 client, as the JDK writes it. */
    private static byte[] clientHello() throws GeneralSecurityException, SSLException {
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine("localhost", 7443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    private final class Junk extends ChannelInboundHandlerAdapter {
        private final Kind kind;
        private final byte[] payload;
        private final long connectAt;

        /**
         * Times count from the connect call, before the server can have accepted: a close measured from there is never
         * early by measurement, only late (by the client's own queueing, which the margin covers).
         */
        Junk(Kind kind, byte[] payload, long connectAt) {
            this.kind = kind;
            this.payload = payload;
            this.connectAt = connectAt;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (payload != null) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(payload));
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closings.add(new Closing(kind, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectAt)));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset by the server is one way of being closed; channelInactive records it.
            ctx.close();
        }
    }
}
