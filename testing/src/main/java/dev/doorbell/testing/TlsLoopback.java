package dev.doorbell.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * TLS handshakes on loopback and nothing else: TLS servers on 127.0.0.1 that report the session of each connection
 * they accept, and client connects that report theirs, for tests of who trusts whom. One event loop group for all of
 * them, shut down by {@link #close()}.
 */
public final class TlsLoopback implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<Channel> servers = new ArrayList<>();

    /** An uplink-like server context: {@code cert} and {@code key}, client certificates of {@code ca} required, TLS 1.3. */
    public static SslContext serverContext(Path cert, Path key, Path ca) throws SSLException {
        return SslContextBuilder.forServer(cert.toFile(), key.toFile())
                .trustManager(ca.toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .protocols("TLSv1.3")
                .build();
    }

    /** A server on 127.0.0.1 and an ephemeral port with {@code context}. */
    public Server server(SslContext context) throws InterruptedException {
        Server server = new Server();
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(context.newHandler(ch.alloc()), new HandshakeListener(server.accepted()));
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        servers.add(channel);
        server.port = ((InetSocketAddress) channel.localAddress()).getPort();
        return server;
    }

    /** Connects to 127.0.0.1:{@code port} naming {@code host}; completes with the session or why it failed. */
    public CompletableFuture<SSLSession> connect(SslContext context, int port, String host)
            throws InterruptedException {
        CompletableFuture<SSLSession> session = new CompletableFuture<>();
        new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(context.newHandler(ch.alloc(), host, port), new HandshakeListener(session));
                    }
                })
                .connect("127.0.0.1", port)
                .sync();
        return session;
    }

    @Override
    public void close() {
        servers.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A listening server: its port, and the handshake of the n-th connection it accepts. */
    public static final class Server {
        private final List<CompletableFuture<SSLSession>> sessions = new ArrayList<>();
        private int next;
        private volatile int port;

        private Server() {}

        public int port() {
            return port;
        }

        /**
         * Completes with the session of the {@code n}-th accepted connection (from 0) once its handshake succeeds, or
         * exceptionally with why it failed; the future exists before the connection does.
         */
        public synchronized CompletableFuture<SSLSession> session(int n) {
            while (sessions.size() <= n) {
                sessions.add(new CompletableFuture<>());
            }
            return sessions.get(n);
        }

        private synchronized CompletableFuture<SSLSession> accepted() {
            return session(next++);
        }
    }

    /** Completes with the TLS session once the handshake succeeds, or exceptionally with why it failed. */
    private static final class HandshakeListener extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<SSLSession> session;

        HandshakeListener(CompletableFuture<SSLSession> session) {
            this.session = session;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent completion) {
                if (completion.isSuccess()) {
                    session.complete(
                            ctx.pipeline().get(SslHandler.class).engine().getSession());
                } else {
                    session.completeExceptionally(completion.cause());
                }
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            session.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            session.completeExceptionally(new IllegalStateException("closed before the handshake completed"));
            ctx.fireChannelInactive();
        }
    }
}
