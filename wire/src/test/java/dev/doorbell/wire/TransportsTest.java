package dev.doorbell.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The transport and TLS choices: the channel follows the group it is given, and the JDK can be forced. */
class TransportsTest {

    @Test
    void socketChannelFor_nioGroup_nioChannel() {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertEquals(NioSocketChannel.class, Transports.socketChannelFor(group));
            assertEquals(NioSocketChannel.class, Transports.socketChannelFor(group.next()));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void socketChannelFor_epollGroup_epollChannel() {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            assertEquals(EpollSocketChannel.class, Transports.socketChannelFor(group.next()));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void sslProvider_forceJdkProperty_jdkElseOpenSslWhenAvailable() {
        String before = System.getProperty(Transports.FORCE_JDK_TLS);
        try {
            System.setProperty(Transports.FORCE_JDK_TLS, "true");
            assertEquals(SslProvider.JDK, Transports.sslProvider());
            System.setProperty(Transports.FORCE_JDK_TLS, "false");
            assertEquals(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK, Transports.sslProvider());
        } finally {
            if (before == null) {
                System.clearProperty(Transports.FORCE_JDK_TLS);
            } else {
                System.setProperty(Transports.FORCE_JDK_TLS, before);
            }
        }
    }
}
