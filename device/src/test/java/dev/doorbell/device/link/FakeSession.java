package dev.doorbell.device.link;

import com.google.protobuf.ByteString;
import dev.doorbell.device.link.FakeUplink.SessionPlan;
import dev.doorbell.device.link.FakeUplink.StoredClip;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.Ack;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ClipState;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Pong;
import dev.doorbell.proto.v1.RecipientListUpdate;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.proto.v1.Welcome;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One connection to the {@link FakeUplink}; see there for what it checks. */
final class FakeSession extends SimpleChannelInboundHandler<DeviceMessage> {
    private final FakeUplink up;
    private final SessionPlan plan;
    private final List<DeviceMessage> log = new ArrayList<>();
    private String identity;
    private boolean helloSeen;
    private boolean closing;
    private int frames;

    FakeSession(FakeUplink up, SessionPlan plan) {
        this.up = up;
        this.plan = plan;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        synchronized (up) {
            up.sessions.add(log);
            up.sessionStarts.add(System.nanoTime());
        }
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
            X509Certificate peer = (X509Certificate)
                    ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates()[0];
            for (List<?> san : peer.getSubjectAlternativeNames()) {
                if (Integer.valueOf(6).equals(san.get(0))) {
                    identity = DeviceIds.fromSanUri((String) san.get(1));
                }
            }
            synchronized (up) {
                up.identities.add(identity);
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DeviceMessage msg) {
        synchronized (up) {
            if (closing) {
                return;
            }
            log.add(msg);
            if (!helloSeen && msg.getBodyCase() != DeviceMessage.BodyCase.HELLO) {
                fatal(ctx, ErrorCode.HELLO_REQUIRED, "first message was " + msg.getBodyCase());
                return;
            }
            switch (msg.getBodyCase()) {
                case HELLO -> onHello(ctx, msg.getHello());
                case CLIP_OPEN ->
                    onOpen(ctx, msg.getClipOpen().getClipId(), msg.getClipOpen().getHeader());
                case FRAME -> onFrame(ctx, msg.getFrame());
                case CLIP_CLOSE ->
                    onClose(
                            ctx,
                            msg.getClipClose().getClipId(),
                            msg.getClipClose().getFrameCount());
                case PING -> {
                    if (!plan.silent()) {
                        ctx.writeAndFlush(UplinkMessage.newBuilder()
                                .setPong(
                                        Pong.newBuilder().setToken(msg.getPing().getToken()))
                                .build());
                    }
                }
                // Logged above, as a real uplink logs it; never answered.
                case RECIPIENT_LIST_RESULT -> {}
                default -> fatal(ctx, ErrorCode.MALFORMED_MESSAGE, "no body");
            }
        }
    }

    private void onHello(ChannelHandlerContext ctx, Hello hello) {
        if (helloSeen) {
            fatal(ctx, ErrorCode.DUPLICATE_HELLO, "second Hello");
            return;
        }
        helloSeen = true;
        if (!hello.getDeviceId().equals(identity)) {
            fatal(ctx, ErrorCode.IDENTITY_MISMATCH, "Hello says " + hello.getDeviceId() + ", certificate " + identity);
            return;
        }
        Welcome.Builder w = Welcome.newBuilder()
                .setVersion(1)
                .setDeviceId(identity)
                .setMaxMessageBytes(4 << 20)
                .setWindowFrames(up.windowFrames)
                .setWindowBytes(up.windowBytes)
                .setHeartbeatMs(up.heartbeatMs)
                .setIdleTimeoutMs(0)
                .setMaxFrameBytes(up.maxFrameBytes)
                .setMaxFramesPerClip(100_000)
                .setMaxOpenClips(16);
        for (long id : hello.getOpenClipsList()) {
            StoredClip c = up.clips.get(id);
            w.addClips(ClipState.newBuilder()
                    .setClipId(id)
                    .setKnown(c != null)
                    .setPersistedFrames(c == null ? 0 : c.durable.size())
                    .setClosed(c != null && c.closeDurable));
        }
        UplinkMessage welcome = UplinkMessage.newBuilder().setWelcome(w).build();
        ctx.executor()
                .schedule(
                        () -> {
                            ByteString relay;
                            synchronized (up) {
                                up.messagesBeforeWelcome.add(log.size());
                                relay = up.listsToRelay.poll();
                            }
                            ctx.writeAndFlush(welcome);
                            if (relay != null) {
                                ctx.writeAndFlush(UplinkMessage.newBuilder()
                                        .setRecipientListUpdate(
                                                RecipientListUpdate.newBuilder().setSignedList(relay))
                                        .build());
                            }
                        },
                        up.welcomeDelayMs,
                        TimeUnit.MILLISECONDS);
    }

    private void onOpen(ChannelHandlerContext ctx, long clipId, ByteString header) {
        StoredClip c = up.clips.get(clipId);
        if (c != null && !c.header.equals(header)) {
            error(ctx, ErrorCode.CLIP_CONFLICT, clipId, -1, "different header bytes");
            return;
        }
        if (c == null) {
            c = new StoredClip();
            c.header = header;
            c.headerDurable = plan.persistHeader();
            up.clips.put(clipId, c);
        }
    }

    private void onFrame(ChannelHandlerContext ctx, Frame f) {
        frames++;
        Integer retryAfterMs = frames == 1 ? up.tooManyErrors.poll() : null;
        if (retryAfterMs != null) {
            closing = true;
            up.tooManyErrorsSent.add(System.nanoTime());
            ctx.writeAndFlush(UplinkMessage.newBuilder()
                    .setError(Error.newBuilder()
                            .setCode(ErrorCode.TOO_MANY_ERRORS)
                            .setFatal(true)
                            .setRetriable(true)
                            .setRetryAfterMs(retryAfterMs)
                            .setMessage("device " + identity + ": too many errors"))
                    .build());
            // As the uplink does: no close with the device's frames unread (a reset could destroy the Error before the
            // device reads it); TLS close_notify, and the device closes when it has read the Error.
            ctx.pipeline().get(SslHandler.class).closeOutbound();
            return;
        }
        StoredClip c = up.clips.get(f.getClipId());
        ErrorCode injected = up.injectedErrors.remove(f.getClipId() + "/" + f.getSeq());
        if (c == null) {
            error(ctx, ErrorCode.UNKNOWN_CLIP, f.getClipId(), f.getSeq(), "no ClipOpen");
        } else if (injected != null) {
            error(ctx, injected, f.getClipId(), f.getSeq(), "injected");
        } else if (f.getSeq() < c.received()) {
            if (c.frame(f.getSeq()).equals(f.getSealed())) {
                ack(ctx, f.getClipId(), AckKind.ACK_KIND_RECEIVED, c.received(), false);
            } else {
                error(ctx, ErrorCode.FRAME_CONFLICT, f.getClipId(), f.getSeq(), "different bytes");
            }
        } else if (f.getSeq() > c.received()) {
            error(ctx, ErrorCode.SEQUENCE_GAP, f.getClipId(), f.getSeq(), "expected " + c.received());
        } else {
            c.pending.add(f.getSealed());
            up.observePending();
            ack(ctx, f.getClipId(), AckKind.ACK_KIND_RECEIVED, c.received(), false);
            if (up.persistDelayMs == 0) {
                persist(ctx);
            } else {
                ctx.executor().schedule(() -> persist(ctx), up.persistDelayMs, TimeUnit.MILLISECONDS);
            }
        }
        if (frames == plan.dropAfterFrames()) {
            closing = true;
            ctx.close();
        }
    }

    private void onClose(ChannelHandlerContext ctx, long clipId, int frameCount) {
        StoredClip c = up.clips.get(clipId);
        if (c == null) {
            error(ctx, ErrorCode.UNKNOWN_CLIP, clipId, -1, "no ClipOpen");
            return;
        }
        if (frameCount != c.received()) {
            error(
                    ctx,
                    ErrorCode.BAD_CLOSE,
                    clipId,
                    -1,
                    "close says " + frameCount + " frames, received " + c.received());
            return;
        }
        c.closePending = true;
        persist(ctx);
        if (plan.dropAfterClose()) {
            closing = true;
            ctx.close();
        }
    }

    private void persist(ChannelHandlerContext ctx) {
        synchronized (up) {
            if (closing) {
                return;
            }
            for (Map.Entry<Long, StoredClip> e : up.clips.entrySet()) {
                StoredClip c = e.getValue();
                boolean changed = false;
                while (!c.pending.isEmpty() && c.durable.size() < plan.persistLimit()) {
                    c.durable.add(c.pending.remove(0));
                    changed = true;
                }
                if (c.closePending && c.pending.isEmpty() && !c.closeDurable) {
                    c.closeDurable = true;
                    changed = true;
                }
                if (changed && plan.sendPersistedAcks() && !closing) {
                    ack(ctx, e.getKey(), AckKind.ACK_KIND_PERSISTED, c.durable.size(), c.closeDurable);
                }
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        synchronized (up) {
            closing = true;
            up.clips.values().removeIf(c -> !c.headerDurable && c.durable.isEmpty());
            for (StoredClip c : up.clips.values()) {
                c.pending.clear();
                c.closePending = false;
            }
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void ack(ChannelHandlerContext ctx, long clipId, AckKind kind, int count, boolean closed) {
        ctx.writeAndFlush(UplinkMessage.newBuilder()
                .setAck(Ack.newBuilder()
                        .setClipId(clipId)
                        .setKind(kind)
                        .setFrames(count)
                        .setClosed(closed))
                .build());
    }

    private void error(ChannelHandlerContext ctx, ErrorCode code, long clipId, int seq, String what) {
        Error.Builder e = Error.newBuilder()
                .setCode(code)
                .setClipId(clipId)
                .setRetriable(code.getNumber() >= 40)
                .setMessage("device " + identity + " clip " + clipId + " frame " + seq + ": " + what);
        if (seq >= 0) {
            e.setSeq(seq).setHasSeq(true);
        }
        ctx.writeAndFlush(UplinkMessage.newBuilder().setError(e).build());
    }

    private void fatal(ChannelHandlerContext ctx, ErrorCode code, String what) {
        closing = true;
        ctx.writeAndFlush(UplinkMessage.newBuilder()
                        .setError(Error.newBuilder()
                                .setCode(code)
                                .setFatal(true)
                                .setMessage("device " + identity + ": " + what))
                        .build())
                .addListener(f -> ctx.close());
    }
}
