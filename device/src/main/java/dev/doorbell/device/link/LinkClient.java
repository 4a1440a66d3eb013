package dev.doorbell.device.link;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.RecipientListUpdate;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.wire.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's link to the uplink: one channel at a time, on one event loop taken from a group that many clients
 * share, so a fleet of thousands needs no thread per device. Every entry point is thread-safe and non-blocking: it
 * hops to that event loop, where all state lives.
 *
 * <p>Every header and frame is kept in an outbox until the uplink acknowledges it PERSISTED, then freed. Frames go
 * out within Welcome's window (frames and sealed bytes sent but not persisted) and below max_frame_bytes. When the
 * connection drops, or the uplink sends a retriable or fatal Error, the client reconnects after an exponential
 * backoff with full jitter (and never sooner than an Error's retry_after_ms, which TOO_MANY_ERRORS carries) and
 * resumes from Welcome's clip states, re-sending the very bytes it kept; it has no key
 * and never seals again. A non-retriable Error on a clip drops that clip only; a fatal, non-retriable Error with no
 * clip (a wrong identity, say) stops the client. The outbox is bounded in bytes; when full, {@link BufferPolicy}
 * applies: BLOCK makes {@link #openClip} and {@link #send} return false, DROP_OLDEST_CLIP drops whole old clips.
 * Data may be queued before {@link #start()}; nothing but Hello is written before Welcome.
 *
 * <p>Clip id 0 is reserved: the protocol uses it for "no clip" in Error messages.
 */
public final class LinkClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LinkClient.class);

    private final LinkConfig config;
    private final EventLoop loop;
    private final LinkListener listener;
    private final LinkCounters counters = new LinkCounters();
    private final Outbox outbox;
    private final LinkFlow flow;
    private final Backoff backoff;
    private final RecipientListUpdates recipientLists;
    private final CompletableFuture<Welcome> welcomed = new CompletableFuture<>();
    private volatile boolean closed;
    private boolean started;
    private boolean connectedBefore;
    private boolean welcomedThisSession;
    /** Connection attempts that ended before Welcome since the last Welcome; on the event loop. */
    private int failuresInARow;

    private long persistedAtWelcome;
    private Channel channel;
    private ScheduledFuture<?> reconnect;
    /** System.nanoTime before which the uplink asked not to reconnect; 0 when it did not ask. */
    private long retryNotBefore;

    public LinkClient(LinkConfig config, EventLoopGroup group) {
        this(config, group, LinkListener.NONE);
    }

    public LinkClient(LinkConfig config, EventLoopGroup group, LinkListener listener) {
        this(config, group, listener, RecipientListUpdates.NONE);
    }

    /**
     * A client whose Hello says the version of the recipient list {@code recipientLists} holds, and which hands it
     * every list the uplink relays (docs/PROTOCOL.md), sending back the result.
     */
    public LinkClient(
            LinkConfig config, EventLoopGroup group, LinkListener listener, RecipientListUpdates recipientLists) {
        this(config, group, listener, recipientLists, ClipAcknowledgements.NONE);
    }

    /**
     * As above, and tells {@code acknowledgements} (the device's chain state) how far each clip is PERSISTED, so that
     * the next clip's header can say it.
     */
    public LinkClient(
            LinkConfig config,
            EventLoopGroup group,
            LinkListener listener,
            RecipientListUpdates recipientLists,
            ClipAcknowledgements acknowledgements) {
        this.config = Objects.requireNonNull(config, "config");
        this.recipientLists = Objects.requireNonNull(recipientLists, "recipientLists");
        this.loop = group.next();
        this.listener = new GuardedListener(Objects.requireNonNull(listener, "listener"), config.deviceId());
        this.outbox = new Outbox(config.bufferLimitBytes(), config.bufferPolicy());
        this.flow = new LinkFlow(
                config,
                outbox,
                counters,
                this.listener,
                recipientLists,
                Objects.requireNonNull(acknowledgements, "acknowledgements"));
        this.backoff = new Backoff(config.backoffInitial(), config.backoffMax(), config.random());
    }

    /**
     * Connects, says Hello and completes with the first Welcome. Failed connections are retried with backoff until
     * then (bound the wait with {@code orTimeout}); fails on a fatal, non-retriable Error or on {@link #close()}.
     */
    public CompletableFuture<Welcome> start() {
        onLoop(() -> {
            if (!started && !closed) {
                started = true;
                if (config.insecurePlaintext()) {
                    log.warn("INSECURE plaintext link, for local debugging only device={}", config.deviceId());
                }
                connect();
            }
        });
        return welcomed.copy();
    }

    /** Queues a clip's header bytes (sent and stored exactly as given). False if refused by BLOCK or closed. */
    public boolean openClip(long clipId, byte[] headerBytes) {
        requireClipId(clipId);
        ByteString header = ByteString.copyFrom(headerBytes);
        return admit(header.size(), () -> flow.enqueueOpen(clipId, header));
    }

    /**
     * Queues sealed frame {@code seq} of a clip opened before; frames come in seq order from 0. The arrays are copied
     * here, once, and those copies are what is sent, on every attempt. False if refused by BLOCK or closed.
     */
    public boolean send(long clipId, int seq, boolean last, byte[] meta, byte[] sealed) {
        requireClipId(clipId);
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative, got " + seq + " in clip " + clipId);
        }
        ByteString metaBytes = ByteString.copyFrom(meta);
        ByteString sealedBytes = ByteString.copyFrom(sealed);
        return admit(
                ClipOutbox.cost(metaBytes, sealedBytes),
                () -> flow.enqueueFrame(clipId, seq, last, metaBytes, sealedBytes));
    }

    /** Queues the close of a clip after its last frame; {@code frameCount} is the number of frames sent. */
    public void closeClip(long clipId, int frameCount) {
        requireClipId(clipId);
        if (!closed) {
            onLoop(() -> flow.enqueueClose(clipId, frameCount));
        }
    }

    /** Completes when everything queued so far is PERSISTED; fails with a TimeoutException after {@code timeout}. */
    public CompletableFuture<Void> drain(Duration timeout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!onLoop(() -> flow.drains().add(done, timeout, loop))) {
            done.completeExceptionally(
                    new LinkException(ErrorCode.INTERNAL, "event loop of " + config.deviceId() + " is shut down"));
        }
        return done;
    }

    /** Closes the connection and stops reconnecting; what was not persisted stays unsent. Does not block. */
    @Override
    public void close() {
        closed = true;
        onLoop(() -> {
            stop(new LinkException(ErrorCode.ERROR_CODE_UNSPECIFIED, "link of " + config.deviceId() + " closed"));
            if (channel != null) {
                channel.close();
            }
        });
    }

    /**
     * Closes the current connection as a network failure would; the client then reconnects with backoff and resumes
     * as after any drop. For load scenarios (a reconnect storm, churn). Does nothing when not connected.
     */
    public void dropConnection() {
        onLoop(() -> {
            if (channel != null) {
                channel.close();
            }
        });
    }

    public LinkStats stats() {
        return counters.snapshot(outbox.bufferedBytes());
    }

    public String deviceId() {
        return config.deviceId();
    }

    private boolean admit(long bytes, Runnable enqueue) {
        if (closed || !outbox.reserve(bytes)) {
            return false;
        }
        if (!onLoop(enqueue)) {
            outbox.release(bytes);
            return false;
        }
        return true;
    }

    private boolean onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return true;
        }
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private static void requireClipId(long clipId) {
        if (clipId == 0) {
            throw new IllegalArgumentException("clip id 0 is reserved for 'no clip' in the protocol");
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(Transports.socketChannelFor(loop))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new LinkChannelInitializer(config, this, flow));
        ChannelFuture connecting = config.localAddress() == null
                ? bootstrap.connect(config.host(), config.port())
                : bootstrap.connect(
                        new InetSocketAddress(config.host(), config.port()),
                        new InetSocketAddress(config.localAddress(), 0));
        channel = connecting.channel();
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                channel = null;
                connectFailed(f.cause());
                scheduleReconnect();
            } else if (closed) {
                f.channel().close();
            }
        });
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        long delay = backoff.nextDelayNanos();
        long asked = retryNotBefore == 0 ? 0 : retryNotBefore - System.nanoTime();
        retryNotBefore = 0;
        delay = Math.max(delay, asked);
        counters.reconnects.increment();
        String waitNote = asked > 0 ? " (the uplink asked to wait)" : "";
        if (failuresInARow == 0) {
            log.info(
                    "reconnecting device={} in {} ms attempt={}{}",
                    config.deviceId(),
                    TimeUnit.NANOSECONDS.toMillis(delay),
                    backoff.attempts(),
                    waitNote);
        } else {
            log.debug(
                    "reconnecting device={} in {} ms attempt={}{}",
                    config.deviceId(),
                    TimeUnit.NANOSECONDS.toMillis(delay),
                    backoff.attempts(),
                    waitNote);
        }
        reconnect = loop.schedule(this::connect, delay, TimeUnit.NANOSECONDS);
    }

    /**
     * An attempt ended before Welcome. The listener hears of every failure, classified, and the command that runs the
     * devices says it once, in one line: a thousand devices retrying against a dead uplink would otherwise bury
     * everything else. Here it is logged at DEBUG only, with the exception.
     */
    void connectFailed(Throwable cause) {
        if (closed) {
            return;
        }
        UplinkFailure failure = UplinkFailure.of(cause, config.host(), config.port(), config.deviceId());
        failuresInARow++;
        log.debug(
                "no session device={} failures in a row={}: {}",
                config.deviceId(),
                failuresInARow,
                failure.message(),
                cause);
        listener.onConnectFailed(failure);
    }

    void onConnected() {
        listener.onConnected();
    }

    void onWelcome(Welcome w) {
        welcomedThisSession = true;
        failuresInARow = 0;
        persistedAtWelcome = counters.framesPersisted.sum();
        log.info(
                "link up device={} resumed={} window={} frames/{} bytes heartbeat={} ms reconnect={}",
                config.deviceId(),
                w.getClipsCount(),
                w.getWindowFrames(),
                w.getWindowBytes(),
                w.getHeartbeatMs(),
                connectedBefore);
        connectedBefore = true;
        welcomed.complete(w);
        listener.onWelcome(w);
    }

    void onDisconnected() {
        channel = null;
        // Only a session that got something durable, or had nothing to make durable, resets the backoff: one that is
        // welcomed and refused at once (a full disk answers STORAGE_UNAVAILABLE) must back off, not reconnect at once.
        boolean progressed = counters.framesPersisted.sum() > persistedAtWelcome
                || outbox.bufferedBytes().get() == 0;
        if (welcomedThisSession && progressed) {
            backoff.reset();
        }
        welcomedThisSession = false;
        listener.onDisconnected();
        scheduleReconnect();
    }

    /**
     * A list relayed after Welcome: judged and made durable off the event loop (disk), then the result goes back on
     * the connection it came on, if that is still open; if not, the next Hello says the version the device holds.
     */
    void onRecipientListUpdate(Channel ch, RecipientListUpdate update) {
        if (recipientLists == RecipientListUpdates.NONE) {
            log.info("recipient list relayed to device={}, which keeps none; ignored", config.deviceId());
            return;
        }
        CompletableFuture.supplyAsync(() -> recipientLists.apply(update.getSignedList()), DiskWork.EXECUTOR)
                .whenComplete((result, failure) -> {
                    if (failure != null) {
                        log.warn("device={} could not take a relayed recipient list", config.deviceId(), failure);
                    } else if (result != null && ch.isActive()) {
                        ch.writeAndFlush(
                                DeviceMessage.newBuilder()
                                        .setRecipientListResult(result)
                                        .build(),
                                ch.voidPromise());
                    }
                });
    }

    /** The uplink asked (Error.retry_after_ms) not to reconnect before this much time has passed. */
    void retryNoSoonerThan(long millis) {
        retryNotBefore = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** After a fatal, non-retriable Error for the whole session: reconnecting would only repeat it. */
    void giveUp(Error e) {
        log.warn("link stopped device={} code={}", config.deviceId(), e.getCode());
        closed = true;
        stop(new LinkException(e.getCode(), e.getMessage()));
    }

    private void stop(LinkException cause) {
        if (reconnect != null) {
            reconnect.cancel(false);
        }
        welcomed.completeExceptionally(cause);
        flow.drains().failAll(cause);
    }
}
