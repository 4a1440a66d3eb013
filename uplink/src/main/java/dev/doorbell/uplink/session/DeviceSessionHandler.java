package dev.doorbell.uplink.session;

import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Pong;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.uplink.codec.MalformedMessageException;
import dev.doorbell.uplink.identity.CertificateRevocations;
import dev.doorbell.uplink.logging.RateLimitedLog;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.store.ClipStore;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One device connection: TLS handshake, then Hello, then clips, then closing. Identity comes from the client
 * certificate (read once the handshake has completed); Hello may only confirm it. Every error is answered with an
 * Error message; fatal ones close this connection and no other. One device cannot flood the uplink: its non-fatal
 * errors are counted (more than {@code maxErrors} within {@code errorWindow} close the session with
 * TOO_MANY_ERRORS, and its new sessions are refused for {@code errorBackoff}), every line it can cause is logged
 * through a per-device limit, and reading stops while the device does not read what the uplink sends.
 */
public final class DeviceSessionHandler extends SimpleChannelInboundHandler<DeviceMessage> {
  /** The device id of the connection once known, for logs of other handlers. */
  public static final AttributeKey<String> DEVICE_ID = AttributeKey.valueOf("doorbell.deviceId");

  // Every line of this class is caused by a peer; the peer decides how often.
  private static final RateLimitedLog LOG = RateLimitedLog.of(DeviceSessionHandler.class);
  private static final int MAX_RESUME_CLIPS = 1024;
  /** After a fatal Error, how long the uplink waits for the peer to close its side before it closes anyway. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private enum State { HANDSHAKE, AWAIT_HELLO, ACTIVE, CLOSING }

  private final UplinkConfig config;
  private final ClipStore store;
  private final SessionRegistry registry;
  private final CertificateRevocations revocations;
  private final Clock clock;
  private ChannelHandlerContext ctx;
  private State state = State.HANDSHAKE;
  private X509Certificate certificate;
  private String certificateId;
  private String deviceId;
  private ClipStream clips;
  private ScheduledFuture<?> deadline;
  private boolean stopping;
  private boolean pausedForPeer;
  private final ErrorBudget errors;

  public DeviceSessionHandler(UplinkConfig config, ClipStore store, SessionRegistry registry) {
    this(config, store, registry, CertificateRevocations.none());
  }

  /** With {@code revocations}, a certificate on the fleet CA's revocation list gets CERTIFICATE_REVOKED. */
  public DeviceSessionHandler(UplinkConfig config, ClipStore store, SessionRegistry registry,
      CertificateRevocations revocations) {
    this(config, store, registry, revocations, Clock.systemUTC());
  }

  /** With {@code clock}, the time against which the certificate's validity dates are checked. */
  public DeviceSessionHandler(UplinkConfig config, ClipStore store, SessionRegistry registry,
      CertificateRevocations revocations, Clock clock) {
    this.config = config;
    this.store = store;
    this.registry = registry;
    this.revocations = revocations;
    this.clock = clock;
    this.errors = new ErrorBudget(config.maxErrors(), config.errorWindow());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    ctx = context;
  }

  @Override
  public void channelActive(ChannelHandlerContext context) {
    registry.track(context.channel());
    if (config.insecurePlaintextForDebugging()) {
      LOG.warn(peer(), "INSECURE PLAINTEXT connection from {}: the device id will be taken from Hello, unverified",
          context.channel().remoteAddress());
      state = State.AWAIT_HELLO;
    }
    deadline = context.executor().schedule(this::handshakeDeadlinePassed,
        config.handshakeDeadline().toMillis(), TimeUnit.MILLISECONDS);
    context.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    cancelDeadline();
    if (deviceId != null) {
      registry.unregister(deviceId, this);
      LOG.info(deviceId, "device {} disconnected", deviceId);
    }
    state = State.CLOSING;
    context.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) {
    if (event instanceof SslHandshakeCompletionEvent) {
      tlsHandshakeDone((SslHandshakeCompletionEvent) event);
    } else if (event instanceof IdleStateEvent) {
      fail(ErrorCodes.error(ErrorCode.IDLE_TIMEOUT, who() + (pausedForPeer
          ? ": did not read what the uplink sent for " : ": nothing received for ") + config.idleTimeout().toMillis()
          + " ms", 0));
    }
    context.fireUserEventTriggered(event);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext context, DeviceMessage message) {
    if (state == State.CLOSING || stopping) {
      return;
    }
    if (message.getBodyCase() == DeviceMessage.BodyCase.BODY_NOT_SET) {
      fail(ErrorCodes.error(ErrorCode.MALFORMED_MESSAGE, who() + ": a DeviceMessage with no body", 0));
    } else if (state == State.HANDSHAKE) {
      // Cannot happen with TLS (no application data before the handshake completes); guards the invariant.
      fail(ErrorCodes.error(ErrorCode.NO_IDENTITY, who() + ": message before the TLS handshake completed", 0));
    } else if (state == State.AWAIT_HELLO) {
      if (message.hasHello()) {
        hello(message.getHello());
      } else {
        fail(ErrorCodes.error(ErrorCode.HELLO_REQUIRED,
            who() + ": " + message.getBodyCase() + " sent before Hello", 0));
      }
    } else {
      switch (message.getBodyCase()) {
        case HELLO -> fail(ErrorCodes.error(ErrorCode.DUPLICATE_HELLO, who() + ": a second Hello", 0));
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
        case PING -> context.write(UplinkMessage.newBuilder()
            .setPong(Pong.newBuilder().setToken(message.getPing().getToken())).build());
        default -> fail(ErrorCodes.error(ErrorCode.MALFORMED_MESSAGE, who() + ": unknown message", 0));
      }
    }
  }

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
    if (cause instanceof TooLongFrameException) {
      fail(ErrorCodes.error(ErrorCode.MESSAGE_TOO_LARGE, who() + ": " + cause.getMessage(), 0));
    } else if (cause instanceof MalformedMessageException || cause instanceof CorruptedFrameException) {
      fail(ErrorCodes.error(ErrorCode.MALFORMED_MESSAGE, who() + ": " + cause.getMessage(), 0));
    } else {
      context.fireExceptionCaught(cause);
    }
  }

  /** Called by the registry when a newer session of the same device has said Hello. */
  void supersede() {
    ctx.executor().execute(() -> fail(ErrorCodes.error(ErrorCode.SUPERSEDED,
        who() + ": superseded by a newer connection of the same device", 0)));
  }

  /**
   * Called after a new revocation list came into force: a session whose certificate it revokes gets
   * CERTIFICATE_REVOKED and is closed. Frames already PERSISTED stay stored; the device cannot add any more.
   */
  public void recheckRevocation() {
    ctx.executor().execute(() -> {
      if (certificate != null && state != State.CLOSING) {
        revocations.revocation(certificate).ifPresent(this::revoked);
      }
    });
  }

  /**
   * Stops reading, lets every pending storage result arrive and its PERSISTED ack go out, then says SHUTTING_DOWN
   * and closes. The returned future completes when the connection is closed.
   */
  public CompletableFuture<Void> shutDown() {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    ctx.channel().closeFuture().addListener(f -> closed.complete(null));
    ctx.executor().execute(() -> {
      stopping = true;
      ctx.channel().config().setAutoRead(false);
      CompletableFuture<Void> drained = clips == null ? CompletableFuture.completedFuture(null) : clips.drained();
      drained.thenRun(() -> fail(ErrorCodes.error(ErrorCode.SHUTTING_DOWN, who() + ": the uplink is stopping", 0)));
    });
    return closed;
  }

  private void tlsHandshakeDone(SslHandshakeCompletionEvent event) {
    if (!event.isSuccess()) {
      // The SslHandler closes the connection itself; a missing, foreign or expired certificate ends here.
      LOG.info(peer(), "TLS handshake with {} failed: {}", ctx.channel().remoteAddress(),
          event.cause().getMessage());
      return;
    }
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    certificate = PeerIdentity.certificate(ssl.engine().getSession());
    // Checked before anything the peer sends is read: a revoked device gets its reason and nothing else.
    Optional<String> revocation = certificate == null ? Optional.empty() : revocations.revocation(certificate);
    if (revocation.isPresent()) {
      certificateId = PeerIdentity.claim(certificate).deviceId();
      revoked(revocation.get());
      return;
    }
    if (certificate == null) {
      fail(ErrorCodes.error(ErrorCode.NO_IDENTITY, "unidentified peer " + ctx.channel().remoteAddress()
          + " sent no client certificate", 0));
      return;
    }
    PeerIdentity.Claim claim = PeerIdentity.claim(certificate);
    if (claim.deviceId() == null) {
      fail(ErrorCodes.error(ErrorCode.NO_IDENTITY, "the client certificate of " + ctx.channel().remoteAddress()
          + " names no device: " + claim.refusal(), 0));
      return;
    }
    certificateId = claim.deviceId();
    if (inErrorBackoff(certificateId)) {
      return;
    }
    // The trust manager checks the dates in a full handshake; a resumed TLS session skips it, so check them here.
    Instant now = clock.instant();
    if (now.isBefore(certificate.getNotBefore().toInstant()) || now.isAfter(certificate.getNotAfter().toInstant())) {
      fail(ErrorCodes.error(ErrorCode.NO_IDENTITY, "the client certificate of device " + certificateId
          + " is valid from " + certificate.getNotBefore().toInstant() + " to " + certificate.getNotAfter().toInstant()
          + ", not now (" + now + ")", 0));
      return;
    }
    ctx.channel().attr(DEVICE_ID).set(certificateId);
    state = State.AWAIT_HELLO;
  }

  private void hello(Hello hello) {
    if (!hello.getVersionsList().contains(1)) {
      fail(ErrorCodes.error(ErrorCode.UNSUPPORTED_VERSION,
          who() + ": offers versions " + hello.getVersionsList() + "; this uplink speaks version 1", 0));
      return;
    }
    String claimed = hello.getDeviceId();
    if (config.insecurePlaintextForDebugging()) {
      if (!DeviceIds.isValid(claimed)) {
        fail(ErrorCodes.error(ErrorCode.NO_IDENTITY, "Hello carries no valid device id: a device id is "
            + DeviceIds.RULE, 0));
        return;
      }
      certificateId = claimed;
      ctx.channel().attr(DEVICE_ID).set(claimed);
      if (inErrorBackoff(claimed)) {
        return;
      }
    } else if (!certificateId.equals(claimed)) {
      fail(ErrorCodes.error(ErrorCode.IDENTITY_MISMATCH, "Hello says device "
          + (DeviceIds.isValid(claimed) ? claimed : "<invalid id>") + " but the certificate is device "
          + certificateId, 0));
      return;
    }
    if (hello.getOpenClipsCount() > MAX_RESUME_CLIPS) {
      fail(ErrorCodes.error(ErrorCode.MALFORMED_MESSAGE, who() + ": Hello lists " + hello.getOpenClipsCount()
          + " open clips; at most " + MAX_RESUME_CLIPS, 0));
      return;
    }
    cancelDeadline();
    deviceId = certificateId;
    clips = new ClipStream(ctx, store, config, deviceId, this::fail, this::refuse);
    state = State.ACTIVE;
    registry.register(deviceId, this);
    LOG.info(deviceId, "device {} connected from {} ({}, firmware '{}', {} clips to resume)", deviceId,
        ctx.channel().remoteAddress(), config.insecurePlaintextForDebugging() ? "INSECURE PLAINTEXT" : "TLS",
        printable(hello.getFirmware()),
        hello.getOpenClipsCount());
    ctx.write(UplinkMessage.newBuilder().setWelcome(Welcomes.of(config, store, deviceId, hello)).build());
  }

  private void revoked(String why) {
    fail(ErrorCodes.error(ErrorCode.CERTIFICATE_REVOKED, who() + ": " + why
        + "; this certificate is refused from now on, ask the fleet operator for a new one", 0));
  }

  private void handshakeDeadlinePassed() {
    if (state == State.HANDSHAKE) {
      LOG.info(peer(), "closing the connection of {}: TLS handshake not finished within {} ms",
          ctx.channel().remoteAddress(), config.handshakeDeadline().toMillis());
      state = State.CLOSING;
      ctx.close();
    } else if (state == State.AWAIT_HELLO) {
      fail(ErrorCodes.error(ErrorCode.HANDSHAKE_TIMEOUT, who() + ": no Hello within "
          + config.handshakeDeadline().toMillis() + " ms", 0));
    }
  }

  private void fail(UplinkMessage error) {
    if (state == State.CLOSING) {
      return;
    }
    state = State.CLOSING;
    cancelDeadline();
    ErrorCode code = error.getError().getCode();
    if (code == ErrorCode.SHUTTING_DOWN || code == ErrorCode.SUPERSEDED) {
      LOG.info(peer(), "closing the connection of {}: {}", who(), code);
    } else {
      // Most messages start with who(); the line names the peer once.
      String message = error.getError().getMessage();
      String prefix = who() + ": ";
      LOG.info(peer(), "closing the connection of {}: {} ({})", who(),
          message.startsWith(prefix) ? message.substring(prefix.length()) : message, code);
    }
    // A TLS connection that never finished its handshake cannot carry the Error; close() is all there is.
    ctx.writeAndFlush(error).addListener(f -> lingeringClose(f.isSuccess()));
  }

  /**
   * Closing a socket with unread input makes the kernel send a reset, and a reset can destroy the Error on its way
   * before the device has read it (a device streaming frames always has some in flight). So the uplink only ends its
   * own side (TLS close_notify, then FIN), reads and drops whatever still comes, and closes once the device has closed
   * too, or after CLOSE_GRACE: a peer that never closes, or never reads, cannot keep the connection.
   */
  private void lingeringClose(boolean errorWritten) {
    ScheduledFuture<?> forced = ctx.executor().schedule(() -> ctx.close(), CLOSE_GRACE.toMillis(),
        TimeUnit.MILLISECONDS);
    ctx.channel().closeFuture().addListener(f -> forced.cancel(false));
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    if (!errorWritten || (ssl != null && !ssl.handshakeFuture().isSuccess())) {
      ctx.close();
      return;
    }
    ctx.channel().config().setAutoRead(true);
    if (ssl != null) {
      ssl.closeOutbound().addListener(f -> shutdownOutput());
    } else {
      shutdownOutput();
    }
  }

  private void shutdownOutput() {
    if (ctx.channel() instanceof DuplexChannel duplex) {
      duplex.shutdownOutput();
    } else {
      ctx.close();
    }
  }

  /** Answers one request with a non-fatal Error; the one past the device's error limit closes the session. */
  private void refuse(UplinkMessage error) {
    ErrorCode code = error.getError().getCode();
    if (state == State.CLOSING) {
      return;
    }
    long now = System.nanoTime();
    if (ErrorCodes.countsAgainstDevice(code) && !errors.spend(now)) {
      registry.errorBackoffs().start(deviceId, now + config.errorBackoff().toNanos(), now);
      fail(ErrorCodes.tooManyErrors(who() + ": " + errors.counted() + " refused requests within "
          + seconds(config.errorWindow()) + ", more than the " + config.maxErrors() + " allowed (the last: " + code
          + "); new sessions are refused for " + seconds(config.errorBackoff()), config.errorBackoff()));
      return;
    }
    ctx.write(error);
  }

  /** True (and the connection closing) when the device is still in the backoff of an earlier TOO_MANY_ERRORS. */
  private boolean inErrorBackoff(String id) {
    long left = registry.errorBackoffs().remainingNanos(id, System.nanoTime());
    if (left <= 0) {
      return false;
    }
    Duration retryAfter = Duration.ofNanos(left);
    fail(ErrorCodes.tooManyErrors("device " + id + ": closed for too many errors before; connect again in "
        + retryAfter.toMillis() + " ms", retryAfter));
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
    fail(ErrorCodes.error(ErrorCode.MALFORMED_MESSAGE, who() + ": " + what + " with clip id 0; clip ids start at 1"
        + " (clip_id 0 in an Error means the session)", 0));
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

  /** Firmware text is the device's to choose: at most 64 printable ASCII characters reach the log. */
  private static String printable(String text) {
    String cut = text.length() > 64 ? text.substring(0, 64) : text;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

  private String who() {
    String id = deviceId != null ? deviceId : certificateId;
    return id != null ? "device " + id : "unidentified peer " + ctx.channel().remoteAddress();
  }

  /** Whose count a log line goes to: the device, or the address (without the port) of a peer not yet known. */
  private String peer() {
    String id = deviceId != null ? deviceId : certificateId;
    if (id != null) {
      return id;
    }
    SocketAddress address = ctx.channel().remoteAddress();
    return address instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : String.valueOf(address);
  }
}
