package dev.doorbell.device.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.provision.FleetLayout;
import dev.doorbell.device.provision.FleetProvisioner;
import dev.doorbell.device.provision.ProvisionRequest;
import dev.doorbell.proto.DeviceIds;
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
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 on loopback: an uplink-like server built from uplink/ only, and devices built by DeviceTls. */
class DeviceTlsHandshakeTest {
  private static final long DEADLINE_SECONDS = 10;

  @TempDir
  Path dir;

  private EventLoopGroup group;
  private final CompletableFuture<SSLSession> serverSession = new CompletableFuture<>();

  @BeforeEach
  void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterEach
  void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void clientContext_provisionedDevice_handshakesTls13AndServerSeesSanUri() throws Exception {
    FleetLayout fleet = provision("fleet", List.of("front-door"));
    Channel server = startServer(fleet);
    DeviceDirectory device = DeviceDirectory.load(fleet.device("front-door"));

    SSLSession clientSession = connect(DeviceTls.clientContext(device), server).get(DEADLINE_SECONDS, TimeUnit.SECONDS);

    SSLSession session = serverSession.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    assertEquals("TLSv1.3", session.getProtocol());
    assertEquals("TLSv1.3", clientSession.getProtocol());
    X509Certificate peer = (X509Certificate) session.getPeerCertificates()[0];
    assertTrue(peer.getSubjectAlternativeNames().contains(List.of(6, DeviceIds.sanUri("front-door"))));
    assertEquals("front-door", DeviceDirectory.deviceIdOf(peer));
  }

  @Test
  void clientContext_deviceOfAnotherFleet_refusedByServer() throws Exception {
    FleetLayout fleet = provision("fleet", List.of("front-door"));
    FleetLayout stranger = provision("stranger", List.of("front-door"));
    Channel server = startServer(fleet);
    DeviceDirectory device = DeviceDirectory.load(stranger.device("front-door"));

    CompletableFuture<SSLSession> client = connect(DeviceTls.clientContext(device), server);

    // Each side also distrusts the other's CA, so both handshakes must fail, not merely one of them.
    assertThrows(ExecutionException.class, () -> serverSession.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    assertThrows(ExecutionException.class, () -> client.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
  }

  private FleetLayout provision(String name, List<String> ids) throws Exception {
    ProvisionRequest request = ProvisionRequest.of(dir.resolve(name), 0).withDeviceIds(ids);
    return new FleetProvisioner(new SecureRandom(), Clock.systemUTC()).provision(request, (d, t) -> { }).layout();
  }

  private Channel startServer(FleetLayout fleet) throws Exception {
    SslContext context = SslContextBuilder.forServer(fleet.serverCert().toFile(), fleet.serverKey().toFile())
        .trustManager(fleet.uplinkCaCert().toFile())
        .clientAuth(ClientAuth.REQUIRE)
        .protocols("TLSv1.3")
        .build();
    return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(context.newHandler(ch.alloc()), new HandshakeListener(serverSession));
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  private CompletableFuture<SSLSession> connect(SslContext context, Channel server) throws InterruptedException {
    CompletableFuture<SSLSession> session = new CompletableFuture<>();
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(context.newHandler(ch.alloc(), "localhost", port), new HandshakeListener(session));
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
      if (event instanceof SslHandshakeCompletionEvent) {
        SslHandshakeCompletionEvent completion = (SslHandshakeCompletionEvent) event;
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
