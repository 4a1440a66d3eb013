package dev.doorbell.device.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.doorbell.device.provision.FleetLayout;
import dev.doorbell.device.provision.FleetProvisioner;
import dev.doorbell.device.provision.ProvisionRequest;
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
import io.netty.handler.ssl.OpenSsl;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 on loopback: many devices through one shared context, each presenting only its own identity. */
class SharedDeviceTlsTest {
  private static final long DEADLINE_SECONDS = 10;

  @TempDir
  Path dir;

  private EventLoopGroup group;
  private final BlockingQueue<CompletableFuture<SSLSession>> serverSessions = new LinkedBlockingQueue<>();

  @BeforeEach
  void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  }

  @AfterEach
  void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void contextFor_devicesTakingTurns_serverSeesEachDevicesOwnCertificate() throws Exception {
    assumeTrue(OpenSsl.isAvailable(), "a shared context needs BoringSSL");
    FleetLayout fleet = provision("fleet", List.of("front-door", "back-door", "garage"));
    int port = startServer(fleet);
    SharedDeviceTls tls = new SharedDeviceTls(Clock.systemUTC());
    List<String> order = List.of("front-door", "back-door", "front-door", "garage", "back-door");
    for (String id : order) {
      SslContext context = tls.contextFor(DeviceDirectory.load(fleet.device(id)));
      connect(context, port, "localhost").get(DEADLINE_SECONDS, TimeUnit.SECONDS);
      SSLSession server = serverSessions.poll(DEADLINE_SECONDS, TimeUnit.SECONDS).get(DEADLINE_SECONDS,
          TimeUnit.SECONDS);
      assertEquals(id, DeviceDirectory.deviceIdOf((X509Certificate) server.getPeerCertificates()[0]));
      assertEquals("TLSv1.3", server.getProtocol());
    }
    assertEquals(1, tls.contexts());
  }

  @Test
  void contextFor_uplinkUnderAnotherHostNameAfterAGoodHandshake_refusedEveryTime() throws Exception {
    FleetLayout fleet = provision("fleet", List.of("front-door"));
    int port = startServer(fleet);
    SslContext context = new SharedDeviceTls(Clock.systemUTC()).contextFor(DeviceDirectory.load(
        fleet.device("front-door")));
    connect(context, port, "localhost").get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    // The chain is now remembered for "localhost" only: the same chain for another host is checked in full.
    for (int i = 0; i < 2; i++) {
      CompletableFuture<SSLSession> client = connect(context, port, "not-the-uplink.example");
      assertThrows(ExecutionException.class, () -> client.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    }
  }

  @Test
  void contextFor_deviceOfAnotherFleet_ownContextAndRefusedByServer() throws Exception {
    FleetLayout fleet = provision("fleet", List.of("front-door"));
    FleetLayout stranger = provision("stranger", List.of("back-door"));
    int port = startServer(fleet);
    SharedDeviceTls tls = new SharedDeviceTls(Clock.systemUTC());
    connect(tls.contextFor(DeviceDirectory.load(fleet.device("front-door"))), port, "localhost")
        .get(DEADLINE_SECONDS, TimeUnit.SECONDS);

    CompletableFuture<SSLSession> client = connect(tls.contextFor(DeviceDirectory.load(
        stranger.device("back-door"))), port, "localhost");

    assertThrows(ExecutionException.class, () -> client.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    if (OpenSsl.isAvailable()) {
      assertEquals(2, tls.contexts());
    }
  }

  private FleetLayout provision(String name, List<String> ids) throws Exception {
    ProvisionRequest request = ProvisionRequest.of(dir.resolve(name), 0).withDeviceIds(ids);
    return new FleetProvisioner(new SecureRandom(), Clock.systemUTC()).provision(request, (d, t) -> { }).layout();
  }

  private int startServer(FleetLayout fleet) throws Exception {
    SslContext context = SslContextBuilder.forServer(fleet.serverCert().toFile(), fleet.serverKey().toFile())
        .trustManager(fleet.uplinkCaCert().toFile())
        .clientAuth(ClientAuth.REQUIRE)
        .protocols("TLSv1.3")
        .build();
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            CompletableFuture<SSLSession> session = new CompletableFuture<>();
            serverSessions.add(session);
            ch.pipeline().addLast(context.newHandler(ch.alloc()), new HandshakeListener(session));
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private CompletableFuture<SSLSession> connect(SslContext context, int port, String host)
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
