package dev.doorbell.uplink.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How a session closes its connection after a fatal Error. Closing a socket with unread input makes the kernel send a
 * reset, and a reset can destroy the Error on its way before the device has read it (a device streaming frames always
 * has some in flight). So the uplink only ends its own side (TLS close_notify, then FIN), reads and drops whatever
 * still comes (the session ignores it), and closes once the device has closed too, or after {@link #GRACE}: a peer
 * that never closes, or never reads, cannot keep the connection.
 */
final class LingeringClose {
    /** How long the uplink waits for the peer to close its side before it closes anyway. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private LingeringClose() {}

    /** Called once the Error's write has ended; {@code errorWritten} is false when it could not be written. */
    static void start(ChannelHandlerContext ctx, boolean errorWritten) {
        ScheduledFuture<?> forced = ctx.executor().schedule(() -> ctx.close(), GRACE.toMillis(), TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> forced.cancel(false));
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        // A TLS connection that never finished its handshake cannot carry the Error; close() is all there is.
        if (!errorWritten || (ssl != null && !ssl.handshakeFuture().isSuccess())) {
            ctx.close();
            return;
        }
        ctx.channel().config().setAutoRead(true);
        if (ssl != null) {
            ssl.closeOutbound().addListener(f -> shutdownOutput(ctx));
        } else {
            shutdownOutput(ctx);
        }
    }

    private static void shutdownOutput(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        } else {
            ctx.close();
        }
    }
}
