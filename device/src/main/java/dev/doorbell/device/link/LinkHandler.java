package dev.doorbell.device.link;

import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Ping;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.proto.v1.Welcome;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session on one connection: Hello once the transport is up (after the TLS handshake, never before), then
 * Welcome within the deadline, then acks, errors and heartbeats. The outbox and its state outlive the session in
 * {@link LinkFlow}; this handler only translates connection events.
 */
final class LinkHandler extends SimpleChannelInboundHandler<UplinkMessage> {
    private static final Logger log = LoggerFactory.getLogger(LinkHandler.class);
    /** The uplink is presumed dead after this many heartbeat periods without a byte from it. */
    static final int SILENT_HEARTBEATS = 3;

    private final LinkConfig config;
    private final LinkClient client;
    private final LinkFlow flow;
    private ScheduledFuture<?> welcomeDeadline;
    private boolean welcomed;
    /** The failure of this connection before Welcome has been reported to the client (at most once). */
    private boolean failureReported;
    /** Set once this session is being closed for a reconnect: later messages are consequences, not news. */
    private boolean abandoned;

    private long pingToken;

    LinkHandler(LinkConfig config, LinkClient client, LinkFlow flow) {
        this.config = config;
        this.client = client;
        this.flow = flow;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (config.sslContext() == null) {
            sendHello(ctx);
        }
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                sendHello(ctx);
            } else {
                // A refused certificate, a lost connection, a peer that is not TLS: the client logs it once, in one
                // line,
                // with the side that refused; then a reconnect follows.
                attemptFailed(handshake.cause());
                ctx.close();
            }
        } else if (evt instanceof IdleStateEvent idle) {
            onIdle(ctx, idle);
        }
        super.userEventTriggered(ctx, evt);
    }

    private void sendHello(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(flow.hello(), ctx.voidPromise());
        client.onConnected();
        welcomeDeadline = ctx.executor()
                .schedule(
                        () -> {
                            attemptFailed(new LinkException(
                                    ErrorCode.ERROR_CODE_UNSPECIFIED,
                                    "no Welcome within "
                                            + config.connectTimeout().toMillis() + " ms"));
                            ctx.close();
                        },
                        config.connectTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    /** Reports this connection's failure before Welcome, once. */
    private void attemptFailed(Throwable cause) {
        if (!welcomed && !failureReported) {
            failureReported = true;
            client.connectFailed(cause);
        }
    }

    private void onIdle(ChannelHandlerContext ctx, IdleStateEvent idle) {
        switch (idle.state()) {
            case READER_IDLE -> {
                log.info(
                        "uplink silent for {} heartbeats device={}, reconnecting",
                        SILENT_HEARTBEATS,
                        config.deviceId());
                ctx.close();
            }
            case WRITER_IDLE ->
                ctx.writeAndFlush(
                        DeviceMessage.newBuilder()
                                .setPing(Ping.newBuilder().setToken(++pingToken))
                                .build(),
                        ctx.voidPromise());
            default -> {}
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, UplinkMessage msg) {
        if (abandoned) {
            return;
        }
        if (!welcomed
                && msg.getBodyCase() != UplinkMessage.BodyCase.WELCOME
                && msg.getBodyCase() != UplinkMessage.BodyCase.ERROR) {
            log.warn("uplink sent {} before Welcome device={}, closing", msg.getBodyCase(), config.deviceId());
            ctx.close();
            return;
        }
        switch (msg.getBodyCase()) {
            case WELCOME -> onWelcome(ctx, msg.getWelcome());
            case ACK -> flow.onAck(msg.getAck());
            case ERROR -> onError(ctx, msg.getError());
            case PONG -> {}
            case RECIPIENT_LIST_UPDATE -> client.onRecipientListUpdate(ctx.channel(), msg.getRecipientListUpdate());
            default -> log.warn("uplink message without a body ignored device={}", config.deviceId());
        }
    }

    private void onWelcome(ChannelHandlerContext ctx, Welcome w) {
        if (welcomed) {
            log.warn("second Welcome device={}, closing", config.deviceId());
            ctx.close();
            return;
        }
        if (w.getVersion() != LinkFlow.PROTOCOL_VERSION) {
            log.warn("uplink chose unsupported version {} device={}, closing", w.getVersion(), config.deviceId());
            ctx.close();
            return;
        }
        welcomed = true;
        welcomeDeadline.cancel(false);
        if (w.getHeartbeatMs() > 0) {
            ctx.pipeline()
                    .addBefore(
                            LinkPipelineNames.HANDLER,
                            LinkPipelineNames.IDLE,
                            new IdleStateHandler(
                                    (long) SILENT_HEARTBEATS * w.getHeartbeatMs(),
                                    w.getHeartbeatMs(),
                                    0,
                                    TimeUnit.MILLISECONDS));
        }
        client.onWelcome(w);
        flow.welcomed(ctx.channel(), w);
    }

    private void onError(ChannelHandlerContext ctx, Error e) {
        // An Error before Welcome says itself why there is no session: the listener hears it as an error.
        failureReported |= !welcomed;
        log.info(
                "uplink error device={} code={} clip={} seq={} fatal={} retriable={}{}",
                config.deviceId(),
                e.getCode(),
                e.getClipId(),
                e.getHasSeq() ? e.getSeq() : "-",
                e.getFatal(),
                e.getRetriable(),
                e.getRetryAfterMs() != 0 ? " retry_after_ms=" + Integer.toUnsignedString(e.getRetryAfterMs()) : "");
        if (e.getRetryAfterMs() != 0) {
            client.retryNoSoonerThan(Integer.toUnsignedLong(e.getRetryAfterMs()));
        }
        switch (flow.onError(e)) {
            case GIVE_UP -> {
                abandoned = true;
                client.giveUp(e);
                ctx.close();
            }
            case RECONNECT -> {
                // Frames written after the refused one are already on the wire; their errors (SEQUENCE_GAP) would
                // wrongly drop the clip, which the next session resumes from the uplink's persisted point instead.
                abandoned = true;
                ctx.close();
            }
            case CONTINUE -> {}
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (welcomeDeadline != null) {
            welcomeDeadline.cancel(false);
        }
        attemptFailed(new ClosedChannelException());
        flow.sessionEnded();
        client.onDisconnected();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!welcomed) {
            // Before Welcome this is why there is no session, which the client reports in one line (in TLS 1.3 the
            // uplink's refusal of the device's certificate arrives here, after the device's side of the handshake).
            attemptFailed(cause);
            log.debug("link failed before Welcome device={}", config.deviceId(), cause);
        } else if (cause instanceof IOException && !(cause instanceof SSLException)) {
            log.info("link lost device={} cause={}", config.deviceId(), cause.toString());
        } else {
            log.warn(
                    "link failed device={} remote={}",
                    config.deviceId(),
                    ctx.channel().remoteAddress(),
                    cause);
        }
        ctx.close();
    }
}
