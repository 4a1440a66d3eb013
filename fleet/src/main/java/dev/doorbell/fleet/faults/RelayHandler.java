package dev.doorbell.fleet.faults;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands what one side of a {@link ProxyConnection} reads to the connection, and its end to both sides. */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RelayHandler.class);

    private final ProxyConnection connection;
    /** True on the device side: what it reads goes up to the uplink. */
    private final boolean up;

    RelayHandler(ProxyConnection connection, boolean up) {
        this.connection = connection;
        this.up = up;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.forward(up, (ByteBuf) msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.close(false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("proxy {} side lost: {}", up ? "device" : "uplink", cause.toString());
        } else {
            log.warn("proxy {} side failed", up ? "device" : "uplink", cause);
        }
        connection.close(false);
    }
}
