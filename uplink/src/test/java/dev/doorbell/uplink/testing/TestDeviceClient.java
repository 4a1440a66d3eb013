package dev.doorbell.uplink.testing;

import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.testing.TestPki;
import dev.doorbell.testing.Waits;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.protobuf.ProtobufDecoder;
import io.netty.handler.codec.protobuf.ProtobufEncoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32FrameDecoder;
import io.netty.handler.codec.protobuf.ProtobufVarint32LengthFieldPrepender;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/** A minimal device for the tests: real TLS (or plaintext), records every message the uplink sends. */
public final class TestDeviceClient implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(10);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<UplinkMessage> received = new ArrayList<>();
    private final Channel channel;

    private TestDeviceClient(InetSocketAddress server, SslContext ssl) throws InterruptedException {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), "localhost", server.getPort()));
                        }
                        ch.pipeline().addLast("framer", new ProtobufVarint32FrameDecoder());
                        ch.pipeline()
                                .addLast(
                                        new ProtobufDecoder(UplinkMessage.getDefaultInstance()),
                                        new ProtobufVarint32LengthFieldPrepender(),
                                        new ProtobufEncoder(),
                                        new SimpleChannelInboundHandler<UplinkMessage>() {
                                            @Override
                                            protected void channelRead0(ChannelHandlerContext ctx, UplinkMessage msg) {
                                                synchronized (received) {
                                                    received.add(msg);
                                                }
                                            }

                                            @Override
                                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                                ctx.close();
                                            }
                                        });
                    }
                });
        channel = bootstrap.connect(server).sync().channel();
    }

    /** Connects with the test PKI's {@code <name>-cert.pem} and {@code <name>-key.pem}, or no certificate if null. */
    public static TestDeviceClient connect(InetSocketAddress server, String certName) throws Exception {
        SslContext ssl = certName != null
                ? TestPki.clientContext(certName)
                : SslContextBuilder.forClient()
                        .trustManager(TestPki.file("ca-cert.pem").toFile())
                        .protocols("TLSv1.3")
                        .build();
        return new TestDeviceClient(server, ssl);
    }

    /** Connects with a client context the caller keeps, so that a second connection can resume the TLS session. */
    public static TestDeviceClient connect(InetSocketAddress server, SslContext ssl) throws Exception {
        return new TestDeviceClient(server, ssl);
    }

    public static TestDeviceClient connectPlaintext(InetSocketAddress server) throws Exception {
        return new TestDeviceClient(server, null);
    }

    public void send(DeviceMessage... messages) {
        for (DeviceMessage m : messages) {
            channel.write(m);
        }
        channel.flush();
    }

    /** Writes bytes as they are, without the client's framing (but through TLS, when there is TLS). */
    public void sendRaw(byte[] bytes) {
        // A write from the framer's context passes only the handlers before it: TLS, if any.
        channel.pipeline().context("framer").writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }

    /** The first message so far or within {@link #WAIT} that matches; fails the test otherwise. */
    public UplinkMessage await(String what, Predicate<UplinkMessage> matches) {
        try {
            return Waits.await(what, WAIT)
                    .until(() -> first(matches), Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + what + " within " + WAIT + "; received: " + received(), e);
        }
    }

    private Optional<UplinkMessage> first(Predicate<UplinkMessage> matches) {
        return received().stream().filter(matches).findFirst();
    }

    public UplinkMessage awaitWelcome() {
        return await("Welcome", UplinkMessage::hasWelcome);
    }

    public UplinkMessage awaitError(ErrorCode code) {
        return await("Error " + code, m -> m.hasError() && m.getError().getCode() == code);
    }

    public UplinkMessage awaitAck(long clipId, AckKind kind, int frames, boolean closed) {
        return await(
                kind + " ack of clip " + clipId + " with " + frames + " frames" + (closed ? ", closed" : ""),
                m -> m.hasAck()
                        && m.getAck().getClipId() == clipId
                        && m.getAck().getKind() == kind
                        && m.getAck().getFrames() == frames
                        && m.getAck().getClosed() == closed);
    }

    public List<UplinkMessage> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public boolean awaitClosed() {
        return channel.closeFuture().awaitUninterruptibly(WAIT.toMillis());
    }

    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(WAIT.toMillis());
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).awaitUninterruptibly(WAIT.toMillis());
    }
}
