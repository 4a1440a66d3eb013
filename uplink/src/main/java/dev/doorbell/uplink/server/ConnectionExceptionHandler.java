package dev.doorbell.uplink.server;

import dev.doorbell.uplink.logging.LogContext;
import dev.doorbell.uplink.session.DeviceSessionHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of every pipeline: whatever the session did not turn into an Error ends here. Peers that vanish
 * (reset, closed socket, failed TLS handshake, already logged by the session) are normal for a fleet of devices
 * on flaky links and are logged at DEBUG; anything else is a bug or an operational problem, logged once per
 * connection at WARN with the peer's identity, and the connection is closed.
 */
@Sharable
final class ConnectionExceptionHandler extends ChannelInboundHandlerAdapter {
    static final ConnectionExceptionHandler INSTANCE = new ConnectionExceptionHandler();

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionExceptionHandler.class);
    private static final AttributeKey<Boolean> WARNED = AttributeKey.valueOf("doorbell.warned");

    private ConnectionExceptionHandler() {}

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String id = ctx.channel().attr(DeviceSessionHandler.DEVICE_ID).get();
        String who = id != null
                ? "device " + id
                : "unidentified peer " + ctx.channel().remoteAddress();
        try (LogContext device = LogContext.device(id)) {
            if (isExpected(cause)) {
                LOG.debug("connection of {} ended: {}", who, cause.toString());
            } else if (ctx.channel().attr(WARNED).setIfAbsent(Boolean.TRUE) == null) {
                LOG.warn("unexpected error on the connection of {}; closing it", who, cause);
            }
        }
        ctx.close();
    }

    private static boolean isExpected(Throwable cause) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        return t instanceof IOException || t instanceof ClosedChannelException || t instanceof SSLException;
    }
}
