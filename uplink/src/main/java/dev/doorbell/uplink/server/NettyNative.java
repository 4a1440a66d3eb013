package dev.doorbell.uplink.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Chooses the uplink's TLS provider and transport: BoringSSL (netty-tcnative) and epoll when the platform has them,
 * since both hold many more connections per megabyte and per core than the JDK's TLS and NIO; the JDK otherwise.
 * System properties force the portable choice: {@code doorbell.tls.jdk=true} and {@code doorbell.transport.nio=true}.
 */
public final class NettyNative {
  public static final String FORCE_JDK_TLS = "doorbell.tls.jdk";
  public static final String FORCE_NIO = "doorbell.transport.nio";

  private NettyNative() {}

  public static SslProvider sslProvider() {
    return !Boolean.getBoolean(FORCE_JDK_TLS) && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  public static boolean epoll() {
    return !Boolean.getBoolean(FORCE_NIO) && Epoll.isAvailable();
  }

  public static IoHandlerFactory ioHandlerFactory() {
    return epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  public static Class<? extends ServerChannel> serverChannel() {
    return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** For the log line at start: which TLS library and transport are in use. */
  public static String describe() {
    SslProvider tls = sslProvider();
    return (tls == SslProvider.OPENSSL ? "TLS by " + OpenSsl.versionString() : "TLS by the JDK")
        + ", " + (epoll() ? "epoll" : "NIO") + " transport";
  }
}
