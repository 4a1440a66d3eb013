package dev.doorbell.device.tls;

import dev.doorbell.device.testing.TestEnrollment;

import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import javax.net.ssl.SSLSession;

/** The TLS tests' loopback pieces: a provisioned fleet, a server with its certificate, a client connect. */
final class TlsLoopback {
  private TlsLoopback() {}

  static FleetLayout provision(Path dir, List<String> ids) throws Exception {
    ProvisionRequest request = ProvisionRequest.of(dir, 0).withDeviceIds(ids);
    return new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), new TestEnrollment(new SecureRandom())).provision(request, (d, t) -> { }).layout();
  }

  /**
   * A TLS 1.3 server on 127.0.0.1 with the fleet's uplink certificate, requiring client certificates of its CA; each
   * accepted connection's session completes the future {@code sessions} hands out for it.
   */
  static Channel server(EventLoopGroup group, FleetLayout fleet, Supplier<CompletableFuture<SSLSession>> sessions)
      throws Exception {
    SslContext context = SslContextBuilder.forServer(fleet.serverCert().toFile(), fleet.serverKey().toFile())
        .trustManager(fleet.uplinkCaCert().toFile())
        .clientAuth(ClientAuth.REQUIRE)
        .protocols("TLSv1.3")
        .build();
    return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(context.newHandler(ch.alloc()), new HandshakeListener(sessions.get()));
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  static int port(Channel server) {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Connects to 127.0.0.1:{@code port} naming {@code host}; completes with the session or why it failed. */
  static CompletableFuture<SSLSession> connect(EventLoopGroup group, SslContext context, int port, String host)
      throws InterruptedException {
    CompletableFuture<SSLSession> session = new CompletableFuture<>();
    new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(context.newHandler(ch.alloc(), host, port), new HandshakeListener(session));
          }
        })
        .connect("127.0.0.1", port).sync();
    return session;
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
          session.complete(ctx.pipeline().get(SslHandler.class).engine().getSession());
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
