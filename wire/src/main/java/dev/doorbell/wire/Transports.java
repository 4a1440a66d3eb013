package dev.doorbell.wire;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Chooses the TLS provider and transport of both ends, the uplink and the devices: BoringSSL (netty-tcnative) and
 * epoll when the platform has them, since both hold many more connections per megabyte and per core than the JDK's
 * TLS and NIO (an uplink with tens of thousands of sessions, a fleet of thousands of links in one JVM); the JDK's
 * otherwise. System properties force the portable choice: {@code doorbell.tls.jdk=true} and
 * {@code doorbell.transport.nio=true}.
 */
public final class Transports {
    public static final String FORCE_JDK_TLS = "doorbell.tls.jdk";
    public static final String FORCE_NIO = "doorbell.transport.nio";

    private Transports() {}

    public static SslProvider sslProvider() {
        return !Boolean.getBoolean(FORCE_JDK_TLS) && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    public static boolean epoll() {
        return !Boolean.getBoolean(FORCE_NIO) && Epoll.isAvailable();
    }

    public static IoHandlerFactory ioHandlerFactory() {
        return epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** An event-loop group on the preferred transport. */
    public static EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory());
    }

    /** The server channel type on the preferred transport. */
    public static Class<? extends ServerChannel> serverChannel() {
        return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * The socket channel type that fits {@code group}: callers may hand a link any group (tests use NIO ones), so the
     * channel follows the group's transport rather than the preference.
     */
    public static Class<? extends SocketChannel> socketChannelFor(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup io && Epoll.isAvailable() && io.isIoType(EpollIoHandler.class)) {
            return EpollSocketChannel.class;
        }
        return NioSocketChannel.class;
    }

    /** For log lines: which TLS library and transport are in use. */
    public static String describe() {
        return (sslProvider() == SslProvider.OPENSSL ? "TLS by " + OpenSsl.versionString() : "TLS by the JDK") + ", "
                + (epoll() ? "epoll" : "NIO") + " transport";
    }
}
