package dev.doorbell.uplink.session;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Pong;
import dev.doorbell.proto.v1.RecipientListResult;
import dev.doorbell.proto.v1.RecipientListUpdate;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.uplink.codec.MalformedMessageException;
import dev.doorbell.uplink.identity.PeerIdentifier;
import dev.doorbell.uplink.identity.PeerIdentity;
import dev.doorbell.uplink.logging.LogContext;
import dev.doorbell.uplink.logging.RateLimitedLog;
import dev.doorbell.uplink.metrics.UplinkMetrics;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.store.ClipStore;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device connection, as a state machine: TLS handshake, then Hello, then clips, then closing. Who the peer is
 * comes from its client certificate once the handshake has completed ({@link PeerIdentifier}); Hello may only confirm
 * it. Every Error goes out through {@link #sendError}, which logs it, counts it against the device's error limit and
 * sends it; a fatal one closes this connection and no other. Runs on the channel's event loop; what other threads ask
 * of a session (supersede, a new revocation list, stop, the store's results) hops there through {@link SessionLoop}.
 * Reading stops while the device does not read what the uplink sends.
 */
public final class DeviceSessionHandler extends SimpleChannelInboundHandler<DeviceMessage> {
    /** The device id of the connection once known, for logs of other handlers. */
    public static final AttributeKey<String> DEVICE_ID = AttributeKey.valueOf("doorbell.deviceId");

    // Every line of this class but the DEBUG ones is caused by a peer; the peer decides how often.
    private static final RateLimitedLog LOG = RateLimitedLog.of(DeviceSessionHandler.class);
    private static final Logger DEBUG = LoggerFactory.getLogger(DeviceSessionHandler.class);
    private static final int MAX_RESUME_CLIPS = 1024;

    private enum State {
        HANDSHAKE,
        AWAIT_HELLO,
        ACTIVE,
        CLOSING
    }

    private final UplinkConfig config;
    private final ClipStore store;
    private final SessionRegistry registry;
    private final PeerIdentifier identifier;
    private final ErrorBudget errorBudget;
    private final UplinkMetrics metrics;
    private ChannelHandlerContext ctx;
    private SessionLoop loop;
    private State state = State.HANDSHAKE;
    /** Who the client certificate says the peer is; null before the handshake and in insecure plaintext mode. */
    private PeerIdentity identity;
    /** The device that the certificate (in insecure plaintext mode: Hello) names, once known; Hello must agree. */
    private String certificateId;
    /** The device of an active session. */
    private String deviceId;

    private ClipStream clips;
    private ScheduledFuture<?> deadline;
    private boolean stopping;
    private boolean pausedForPeer;
    private boolean storageWarned;

    /** {@code identifier} establishes who each peer is (unused in insecure plaintext mode, where Hello says so). */
    public DeviceSessionHandler(
            UplinkConfig config, ClipStore store, SessionRegistry registry, PeerIdentifier identifier) {
        this(config, store, registry, identifier, new UplinkMetrics());
    }

    /** As above, counting into the server's {@code metrics}. */
    public DeviceSessionHandler(
            UplinkConfig config,
            ClipStore store,
            SessionRegistry registry,
            PeerIdentifier identifier,
            UplinkMetrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.store = store;
        this.registry = registry;
        this.identifier = identifier;
        this.errorBudget = new ErrorBudget(config.maxErrors(), config.errorWindow());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        ctx = context;
        loop = new SessionLoop(context.channel());
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        registry.track(context.channel());
        metrics.connectionAccepted();
        if (config.insecurePlaintextForDebugging()) {
            LOG.warn(
                    peer(),
                    "INSECURE PLAINTEXT connection from {}: the device id will be taken from Hello, unverified",
                    context.channel().remoteAddress());
            state = State.AWAIT_HELLO;
        }
        deadline = context.executor()
                .schedule(
                        this::handshakeDeadlinePassed,
                        config.handshakeDeadline().toMillis(),
                        TimeUnit.MILLISECONDS);
        context.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        cancelDeadline();
        if (deviceId != null) {
            registry.unregister(deviceId, this);
            try (LogContext device = LogContext.device(deviceId)) {
                LOG.info(deviceId, "device {} disconnected", deviceId);
            }
        }
        state = State.CLOSING;
        context.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) {
        try (LogContext device = logContext()) {
            sessionEvent(event);
        }
        context.fireUserEventTriggered(event);
    }

    private void sessionEvent(Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            tlsHandshakeDone(handshake);
        } else if (event instanceof IdleStateEvent) {
            sendError(ErrorCodes.error(
                    ErrorCode.IDLE_TIMEOUT,
                    who() + (pausedForPeer ? ": did not read what the uplink sent for " : ": nothing received for ")
                            + config.idleTimeout().toMillis()
                            + " ms",
                    0));
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, DeviceMessage message) {
        metrics.received(message);
        if (state == State.CLOSING || stopping) {
            return;
        }
        try (LogContext device = logContext()) {
            handle(context, message);
        }
    }

    private void handle(ChannelHandlerContext context, DeviceMessage message) {
        if (message.getBodyCase() == DeviceMessage.BodyCase.BODY_NOT_SET) {
            sendError(ErrorCodes.error(ErrorCode.MALFORMED_MESSAGE, who() + ": a DeviceMessage with no body", 0));
        } else if (state == State.HANDSHAKE) {
            // Cannot happen with TLS (no application data before the handshake completes); guards the invariant.
            sendError(
                    ErrorCodes.error(ErrorCode.NO_IDENTITY, who() + ": message before the TLS handshake completed", 0));
        } else if (state == State.AWAIT_HELLO) {
            if (message.hasHello()) {
                hello(message.getHello());
            } else {
                sendError(ErrorCodes.error(
                        ErrorCode.HELLO_REQUIRED, who() + ": " + message.getBodyCase() + " sent before Hello", 0));
            }
        } else {
            switch (message.getBodyCase()) {
                case HELLO -> sendError(ErrorCodes.error(ErrorCode.DUPLICATE_HELLO, who() + ": a second Hello", 0));
                case CLIP_OPEN -> {
                    if (hasClipId(message.getClipOpen().getClipId(), "ClipOpen")) {
                        clips.open(message.getClipOpen());
                    }
                }
                case FRAME -> {
                    if (hasClipId(message.getFrame().getClipId(), "Frame")) {
                        clips.frame(message.getFrame());
                    }
                }
                case CLIP_CLOSE -> {
                    if (hasClipId(message.getClipClose().getClipId(), "ClipClose")) {
                        clips.close(message.getClipClose());
                    }
                }
                case RECIPIENT_LIST_RESULT -> recipientListResult(message.getRecipientListResult());
                case PING ->
                    context.write(UplinkMessage.newBuilder()
                            .setPong(
                                    Pong.newBuilder().setToken(message.getPing().getToken()))
                            .build());
                default -> sendError(ErrorCodes.error(ErrorCode.MALFORMED_MESSAGE, who() + ": unknown message", 0));
            }
        }
    }

    /** The answers of a read batch (acks, Pongs, non-fatal Errors) are written as they come and flushed here. */
    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (clips != null) {
            clips.writeReceivedAcks();
        }
        context.flush();
        context.fireChannelReadComplete();
    }

    /**
     * A device that sends faster than it reads what the uplink answers would make the uplink buffer the answers
     * without end: while the connection is not writable, nothing more is read from it.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        boolean writable = context.channel().isWritable();
        if (!stopping && state != State.CLOSING && pausedForPeer == writable) {
            pausedForPeer = !writable;
            context.channel().config().setAutoRead(writable);
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        try (LogContext device = logContext()) {
            sessionException(context, cause);
        }
    }

    private void sessionException(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            sendError(ErrorCodes.error(ErrorCode.MESSAGE_TOO_LARGE, who() + ": " + cause.getMessage(), 0));
        } else if (cause instanceof MalformedMessageException || cause instanceof CorruptedFrameException) {
            sendError(ErrorCodes.error(ErrorCode.MALFORMED_MESSAGE, who() + ": " + cause.getMessage(), 0));
        } else {
            context.fireExceptionCaught(cause);
        }
    }

    /** From the registry, on another connection's loop: a newer session of the same device has said Hello. */
    void supersede() {
        loop.later(() -> sendError(ErrorCodes.error(
                ErrorCode.SUPERSEDED, who() + ": superseded by a newer connection of the same device", 0)));
    }

    /**
     * From the revocation watcher's thread, after a new revocation list came into force: a session whose certificate
     * it revokes gets CERTIFICATE_REVOKED and is closed. Frames already PERSISTED stay stored; the device cannot add
     * any more.
     */
    public void recheckRevocation() {
        loop.later(() -> {
            if (identity != null && state != State.CLOSING) {
                identifier.revocation(identity).ifPresent(revoked -> sendError(identityError(revoked)));
            }
        });
    }

    /**
     * From the server's stop: stops reading, lets every pending storage result arrive and its PERSISTED ack go out,
     * then says SHUTTING_DOWN and closes. The returned future completes when the connection is closed.
     */
    public CompletableFuture<Void> shutDown() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        ctx.channel().closeFuture().addListener(f -> closed.complete(null));
        loop.later(() -> {
            stopping = true;
            ctx.channel().config().setAutoRead(false);
            CompletableFuture<Void> drained = clips == null ? CompletableFuture.completedFuture(null) : clips.drained();
            drained.thenRun(
                    () -> sendError(ErrorCodes.error(ErrorCode.SHUTTING_DOWN, who() + ": the uplink is stopping", 0)));
        });
        return closed;
    }

    private void tlsHandshakeDone(SslHandshakeCompletionEvent event) {
        if (!event.isSuccess()) {
            metrics.handshakeFailed("tls");
            // The SslHandler closes the connection itself; a missing, foreign or expired certificate ends here.
            LOG.info(
                    peer(),
                    "TLS handshake with {} failed: {}",
                    ctx.channel().remoteAddress(),
                    event.cause().getMessage());
            return;
        }
        // Checked before anything the peer sends is read: a refused peer gets its reason and nothing else.
        identity = identifier.identify(
                ctx.pipeline().get(SslHandler.class).engine().getSession(),
                ctx.channel().remoteAddress());
        certificateId = identity.deviceId();
        // A revocation is final and is said first; a device in the backoff of an earlier TOO_MANY_ERRORS is told the
        // time left before anything else about its certificate.
        if (identity.refusal() != PeerIdentity.Refusal.REVOKED
                && certificateId != null
                && inErrorBackoff(certificateId)) {
            return;
        }
        if (!identity.accepted()) {
            sendError(identityError(identity));
            return;
        }
        ctx.channel().attr(DEVICE_ID).set(certificateId);
        state = State.AWAIT_HELLO;
    }

    private void hello(Hello hello) {
        if (!hello.getVersionsList().contains(1)) {
            sendError(ErrorCodes.error(
                    ErrorCode.UNSUPPORTED_VERSION,
                    who() + ": offers versions " + hello.getVersionsList() + "; this uplink speaks version 1",
                    0));
            return;
        }
        String claimed = hello.getDeviceId();
        if (config.insecurePlaintextForDebugging()) {
            if (!DeviceIds.isValid(claimed)) {
                sendError(ErrorCodes.error(
                        ErrorCode.NO_IDENTITY,
                        "Hello carries no valid device id: a device id is " + DeviceIds.RULE,
                        0));
                return;
            }
            certificateId = claimed;
            ctx.channel().attr(DEVICE_ID).set(claimed);
            if (inErrorBackoff(claimed)) {
                return;
            }
        } else if (!certificateId.equals(claimed)) {
            sendError(ErrorCodes.error(
                    ErrorCode.IDENTITY_MISMATCH,
                    "Hello says device "
                            + (DeviceIds.isValid(claimed) ? claimed : "<invalid id>")
                            + " but the certificate is device "
                            + certificateId,
                    0));
            return;
        }
        if (hello.getOpenClipsCount() > MAX_RESUME_CLIPS) {
            sendError(ErrorCodes.error(
                    ErrorCode.MALFORMED_MESSAGE,
                    who() + ": Hello lists " + hello.getOpenClipsCount() + " open clips; at most " + MAX_RESUME_CLIPS,
                    0));
            return;
        }
        cancelDeadline();
        deviceId = certificateId;
        clips = new ClipStream(
                ctx, loop, store, config, deviceId, this::sendError, this::readBack, metrics, registry.keyless());
        state = State.ACTIVE;
        registry.register(deviceId, this);
        metrics.handshakeDone();
        LOG.info(
                deviceId,
                "device {} connected from {} ({}, firmware '{}', {} clips to resume)",
                deviceId,
                ctx.channel().remoteAddress(),
                config.insecurePlaintextForDebugging() ? "INSECURE PLAINTEXT" : "TLS",
                printable(hello.getFirmware()),
                hello.getOpenClipsCount());
        ctx.write(UplinkMessage.newBuilder()
                .setWelcome(Welcomes.of(config, store, deviceId, hello))
                .build());
        registry.recipientLists()
                .offer(deviceId, hello.getRecipientListVersion(), list -> loop.later(() -> relay(list)));
    }

    /**
     * A newer owner-signed list for this device, as published: sent after Welcome (which this loop wrote first), as
     * long as the session is still the active one. Whether the device takes it is its own decision, which it reports.
     */
    private void relay(ByteString signedList) {
        if (state != State.ACTIVE || stopping) {
            return;
        }
        ctx.writeAndFlush(UplinkMessage.newBuilder()
                .setRecipientListUpdate(RecipientListUpdate.newBuilder().setSignedList(signedList))
                .build());
    }

    /** What the device did with a relayed list: logged (a refusal may be an attack on the relay), never answered. */
    private void recipientListResult(RecipientListResult result) {
        String version = Long.toUnsignedString(result.getVersion());
        if (result.getStatus() == RecipientListResult.Status.ACCEPTED) {
            LOG.info(deviceId, "device {} accepted recipient list version {}", deviceId, version);
        } else {
            // Version 0: the device did not believe the list's own claim (an unsigned or unparsable list).
            LOG.warn(
                    deviceId,
                    "device {} refused {}: {} ({})",
                    deviceId,
                    result.getVersion() == 0 ? "a recipient list" : "recipient list version " + version,
                    result.getStatus(),
                    printable(result.getDetail()));
        }
    }

    private void handshakeDeadlinePassed() {
        if (state == State.HANDSHAKE) {
            metrics.handshakeFailed("tls_timeout");
            LOG.info(
                    peer(),
                    "closing the connection of {}: TLS handshake not finished within {} ms",
                    ctx.channel().remoteAddress(),
                    config.handshakeDeadline().toMillis());
            state = State.CLOSING;
            ctx.close();
        } else if (state == State.AWAIT_HELLO) {
            sendError(ErrorCodes.error(
                    ErrorCode.HANDSHAKE_TIMEOUT,
                    who() + ": no Hello within " + config.handshakeDeadline().toMillis() + " ms",
                    0));
        }
    }

    /**
     * Every Error of this session goes out here, and nowhere else; nothing goes out once the session is closing. A fatal
     * Error ends the session: one line names the peer and the reason, the Error is sent, and the connection closes
     * without a reset ({@link LingeringClose}). A non-fatal one answers one request: it is logged through the device's
     * log limit (STORAGE_UNAVAILABLE, the uplink's own trouble, at WARN once per session), counted against the
     * device's error limit (the one past it is answered with TOO_MANY_ERRORS instead), and written, to be flushed with
     * the answers of the read batch, or by the caller outside a read.
     */
    void sendError(UplinkMessage error) {
        if (state == State.CLOSING) {
            return;
        }
        ErrorCode code = error.getError().getCode();
        String message = error.getError().getMessage();
        metrics.errorSent(code, state == State.ACTIVE);
        if (ErrorCodes.isFatal(code) && state != State.ACTIVE) {
            metrics.handshakeRefused(code);
        }
        if (ErrorCodes.isFatal(code)) {
            state = State.CLOSING;
            cancelDeadline();
            if (code == ErrorCode.SHUTTING_DOWN || code == ErrorCode.SUPERSEDED) {
                LOG.info(peer(), "closing the connection of {}: {}", who(), code);
            } else {
                // Most messages start with who(); the line names the peer once.
                String prefix = who() + ": ";
                LOG.info(
                        peer(),
                        "closing the connection of {}: {} ({})",
                        who(),
                        message.startsWith(prefix) ? message.substring(prefix.length()) : message,
                        code);
            }
            ctx.writeAndFlush(error).addListener(f -> LingeringClose.start(ctx, f.isSuccess()));
            return;
        }
        if (code == ErrorCode.STORAGE_UNAVAILABLE) {
            if (!storageWarned) {
                storageWarned = true;
                LOG.warn(peer(), "{} (further storage failures of this session at DEBUG)", message);
            } else {
                DEBUG.debug(message);
            }
        } else if (code == ErrorCode.FRAME_CONFLICT) {
            // Other bytes under a stored (clip, seq) may be a nonce reused under the clip key: worth a warning.
            LOG.warn(peer(), "refused {} ({})", message, code);
        } else {
            LOG.info(peer(), "refused {} ({})", message, code);
        }
        long now = System.nanoTime();
        if (ErrorCodes.countsAgainstDevice(code) && !errorBudget.spend(now)) {
            tooManyErrors(code.toString(), now);
            return;
        }
        ctx.write(error);
    }

    /**
     * A header or frame sent again that the store answered by reading its segments back (a closed clip in compact
     * form, docs/PROTOCOL.md): counted against the device's error limit as a refusal is. False when it was one too
     * many and the session is closing with TOO_MANY_ERRORS.
     */
    private boolean readBack(String what) {
        metrics.readBack();
        long now = System.nanoTime();
        if (errorBudget.spend(now)) {
            return true;
        }
        tooManyErrors("a resend of " + what + " read back from disk", now);
        return false;
    }

    private void tooManyErrors(String last, long now) {
        registry.errorBackoffs().start(deviceId, now + config.errorBackoff().toNanos(), now);
        sendError(ErrorCodes.tooManyErrors(
                who() + ": " + errorBudget.counted() + " refused requests or resends read back from disk within "
                        + seconds(config.errorWindow()) + ", more than the " + config.maxErrors() + " allowed (the"
                        + " last: " + last + "); new sessions are refused for " + seconds(config.errorBackoff()),
                config.errorBackoff()));
    }

    private static UplinkMessage identityError(PeerIdentity refused) {
        ErrorCode code = refused.refusal() == PeerIdentity.Refusal.REVOKED
                ? ErrorCode.CERTIFICATE_REVOKED
                : ErrorCode.NO_IDENTITY;
        return ErrorCodes.error(code, refused.reason(), 0);
    }

    /** True (and the connection closing) when the device is still in the backoff of an earlier TOO_MANY_ERRORS. */
    private boolean inErrorBackoff(String id) {
        long left = registry.errorBackoffs().remainingNanos(id, System.nanoTime());
        if (left <= 0) {
            return false;
        }
        Duration retryAfter = Duration.ofNanos(left);
        sendError(ErrorCodes.tooManyErrors(
                "device " + id + ": closed for too many errors before; connect again in " + retryAfter.toMillis()
                        + " ms",
                retryAfter));
        return true;
    }

    /**
     * Clip id 0 is not a clip: an Error's clip_id 0 means the session, so an error about such a clip could not say
     * which. Proto3 also reads 0 as "not set", so the message lacks a required field.
     */
    private boolean hasClipId(long clipId, String what) {
        if (clipId != 0) {
            return true;
        }
        sendError(ErrorCodes.error(
                ErrorCode.MALFORMED_MESSAGE,
                who() + ": " + what + " with clip id 0; clip ids start"
                        + " at 1 (clip_id 0 in an Error means the session)",
                0));
        return false;
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Firmware and detail texts are the device's to choose: at most 64 printable ASCII characters reach the log. */
    private static String printable(String text) {
        String cut = text.length() > 64 ? text.substring(0, 64) : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** The device of this connection for the log lines of one callback, once the certificate (or Hello) named it. */
    private LogContext logContext() {
        return LogContext.device(ctx.channel().attr(DEVICE_ID).get());
    }

    private String who() {
        String id = deviceId != null ? deviceId : certificateId;
        return id != null
                ? "device " + id
                : "unidentified peer " + ctx.channel().remoteAddress();
    }

    /** Whose count a log line goes to: the device, or the address (without the port) of a peer not yet known. */
    private String peer() {
        String id = deviceId != null ? deviceId : certificateId;
        if (id != null) {
            return id;
        }
        SocketAddress address = ctx.channel().remoteAddress();
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : String.valueOf(address);
    }
}
