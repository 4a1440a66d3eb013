package dev.doorbell.fleet.faults;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP relay that injects network faults between doorbells and the uplink: resets (RST) after random bytes or
 * time, stalls of one direction, half-open connections, single-byte writes and a delayed uplink-to-device direction
 * (acks arrive late). It forwards bytes without looking at them, so TLS stays end to end and the proxy needs no
 * key or certificate.
 *
 * <p>One event loop thread accepts and relays every connection, so faults are drawn from the seeded random in
 * accept order and a seed replays the same plan. Everything is bounded: connections ({@link
 * FaultPlan#maxConnections()}), delayed bytes per connection, every stall and hold.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);

    private final InetSocketAddress listen;
    private final InetSocketAddress target;
    private final FaultPlan plan;
    private final Random random;
    private final FaultCounters counters = new FaultCounters();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private Channel server;
    /** Only touched on the single event loop. */
    private int open;

    private long nextId;

    public FaultProxy(InetSocketAddress listen, InetSocketAddress target, FaultPlan plan, long seed) {
        this.listen = Objects.requireNonNull(listen, "listen");
        this.target = Objects.requireNonNull(target, "target");
        this.plan = Objects.requireNonNull(plan, "plan");
        this.random = new Random(seed);
    }

    /** Binds and returns the address it listens on (the real port when {@code listen} asked for port 0). */
    public InetSocketAddress start() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accept(ch);
                    }
                })
                .bind(listen)
                .sync()
                .channel();
        InetSocketAddress bound = (InetSocketAddress) server.localAddress();
        log.info("fault proxy listening on {} for {} plan={}", bound, target, plan);
        return bound;
    }

    private void accept(SocketChannel ch) {
        if (open >= plan.maxConnections()) {
            counters.refused.increment();
            log.warn("fault proxy refuses a connection from {}: {} open", ch.remoteAddress(), open);
            ch.close();
            return;
        }
        open++;
        ProxyConnection connection =
                new ProxyConnection(nextId++, ch, ConnectionFaults.draw(plan, random), counters, () -> open--);
        ch.pipeline().addLast(new RelayHandler(connection, true));
        ch.pipeline().addFirst(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.pipeline().remove(this);
                connection.connect(target);
                ctx.fireChannelActive();
            }
        });
    }

    public FaultStats stats() {
        return counters.snapshot();
    }

    public FaultPlan plan() {
        return plan;
    }

    /** Stops listening and closes every relayed connection; waits at most {@code timeout}. */
    public void stop(Duration timeout) {
        if (server != null) {
            server.close().awaitUninterruptibly(timeout.toMillis());
        }
        group.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly(timeout.toMillis());
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
