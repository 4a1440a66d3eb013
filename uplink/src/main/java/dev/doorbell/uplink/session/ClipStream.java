package dev.doorbell.uplink.session;

import dev.doorbell.proto.v1.ClipClose;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipOpen;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Frame;
import dev.doorbell.proto.v1.StoredUplinkFlag;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.uplink.logging.LogContext;
import dev.doorbell.uplink.logging.RateLimitedLog;
import dev.doorbell.uplink.metrics.UplinkMetrics;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.store.ClipStatus;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.uplink.store.Outcome;
import dev.doorbell.uplink.store.Submission;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clip half of an active session: checks limits and the window, hands clips and frames to the store, and
 * turns the store's answers into acks and errors. Runs on the channel's event loop; the store's durable futures
 * complete elsewhere and hop back here through {@link SessionLoop}. Every Error goes to the session's one error
 * helper, which logs, counts and sends it. The sealed bytes are passed through untouched; only the public header is
 * parsed, to check that it names this device and clip.
 */
final class ClipStream {
    private static final Logger LOG = LoggerFactory.getLogger(ClipStream.class);
    // A device decides how often it misuses the format: its flags are rate-limited per device like its refusals.
    private static final RateLimitedLog FLAGS = RateLimitedLog.of(ClipStream.class);

    private final ChannelHandlerContext ctx;
    private final SessionLoop loop;
    private final ClipStore store;
    private final UplinkConfig config;
    private final String deviceId;
    private final Consumer<UplinkMessage> errors;
    private final Predicate<String> readBacks;
    private final UplinkMetrics metrics;
    private final KeylessWatch keyless;
    private final ClipAcks acks = new ClipAcks();
    // Clips this session is uploading. The limit counts these, not every clip the store holds unclosed: a clip cut
    // short by a power loss is never closed, and a device must not be locked out by the clips it could not finish.
    private final Set<Long> active = new HashSet<>();
    private int inFlightFrames;
    private long inFlightBytes;
    private int pendingDurable;
    private boolean flushScheduled;
    private CompletableFuture<Void> drained;

    /**
     * {@code errors} is the session's error helper: every Error of the clips, fatal or not, goes there. {@code
     * readBacks} counts a resend the store answered by reading its segments back, naming it; false when that closed
     * the session.
     */
    ClipStream(
            ChannelHandlerContext ctx,
            SessionLoop loop,
            ClipStore store,
            UplinkConfig config,
            String deviceId,
            Consumer<UplinkMessage> errors,
            Predicate<String> readBacks,
            UplinkMetrics metrics,
            KeylessWatch keyless) {
        this.readBacks = readBacks;
        this.metrics = metrics;
        this.keyless = keyless;
        this.ctx = ctx;
        this.loop = loop;
        this.store = store;
        this.config = config;
        this.deviceId = deviceId;
        this.errors = errors;
    }

    void open(ClipOpen message) {
        try (LogContext clip = LogContext.clip(message.getClipId())) {
            openClip(message);
        }
    }

    private void openClip(ClipOpen message) {
        long clipId = message.getClipId();
        String where = "device " + deviceId + " clip " + Long.toUnsignedString(clipId);
        String problem = ClipHeaderCheck.problem(deviceId, clipId, message.getHeader());
        if (problem != null) {
            errors.accept(ErrorCodes.error(ErrorCode.BAD_HEADER, where + ": " + problem, clipId));
            return;
        }
        if (!active.contains(clipId) && active.size() >= config.maxOpenClips()) {
            errors.accept(ErrorCodes.error(
                    ErrorCode.TOO_MANY_OPEN_CLIPS,
                    where + ": " + config.maxOpenClips() + " clips are open already; close one first",
                    clipId));
            return;
        }
        ClipHeader header = ClipHeaderCheck.parsed(message.getHeader());
        List<KeylessWatch.Finding> findings = keyless.check(deviceId, clipId, header);
        List<StoredUplinkFlag> flags = new ArrayList<>();
        for (KeylessWatch.Finding f : findings) {
            flags.add(StoredUplinkFlag.newBuilder()
                    .setReason(f.flag().label())
                    .setDetail(f.detail())
                    .build());
        }
        Submission submission =
                store.openClip(deviceId, clipId, message.getHeader().toByteArray(), flags);
        if (readBackTooOften(submission, where + " header") || refused(submission, where, clipId, -1)) {
            return;
        }
        if (submission.outcome() == Outcome.ACCEPTED) {
            // Only a clip stored as new is history and is flagged: a resent header is the same clip again.
            keyless.remember(deviceId, clipId, header);
            for (KeylessWatch.Finding f : findings) {
                metrics.misuseFlagged(f.flag());
                FLAGS.warn(
                        deviceId,
                        "{}: keyless misuse flag {}: {} (the clip is stored, flagged for the owner)",
                        where,
                        f.flag().label(),
                        f.detail());
            }
        }
        active.add(clipId);
        metrics.clipOpened();
        LOG.debug(
                "{} open ({}, {} header bytes)",
                where,
                submission.outcome(),
                message.getHeader().size());
        whenDurable(submission, clipId, -1, -1, () -> {});
    }

    void frame(Frame message) {
        try (LogContext clip = LogContext.clip(message.getClipId())) {
            appendFrame(message, System.nanoTime());
        }
    }

    private void appendFrame(Frame message, long receivedNanos) {
        long clipId = message.getClipId();
        int seq = message.getSeq();
        int size = message.getSealed().size();
        if (size > config.maxFrameBytes()) {
            errors.accept(ErrorCodes.frameError(
                    ErrorCode.FRAME_TOO_LARGE,
                    where(clipId, seq) + ": " + size + " sealed bytes; the maximum is " + config.maxFrameBytes(),
                    clipId,
                    seq));
            return;
        }
        if (Integer.toUnsignedLong(seq) >= config.maxFramesPerClip()) {
            errors.accept(ErrorCodes.frameError(
                    ErrorCode.CLIP_TOO_LONG,
                    where(clipId, seq) + ": a clip has at most " + config.maxFramesPerClip() + " frames",
                    clipId,
                    seq));
            return;
        }
        if (inFlightFrames + 1 > config.windowFrames() || inFlightBytes + size > config.windowBytes()) {
            errors.accept(ErrorCodes.frameError(
                    ErrorCode.WINDOW_EXCEEDED,
                    where(clipId, seq) + ": " + inFlightFrames
                            + " frames and " + inFlightBytes + " bytes are not yet persisted; the window is "
                            + config.windowFrames()
                            + " frames and " + config.windowBytes() + " bytes",
                    clipId,
                    seq));
            return;
        }
        Submission submission =
                store.appendFrame(deviceId, clipId, seq, message.getLast(), message.getMeta(), message.getSealed());
        if (readBackTooOften(submission, where(clipId, seq)) || refused(submission, where(clipId, seq), clipId, seq)) {
            return;
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} {} ({} sealed bytes)", where(clipId, seq), submission.outcome(), size);
        }
        int windowed = -1;
        active.add(clipId);
        metrics.frameReceived(submission.outcome() != Outcome.ACCEPTED);
        if (submission.outcome() == Outcome.ACCEPTED) {
            acks.received(clipId, seq + 1);
            windowed = size;
            inFlightFrames++;
            inFlightBytes += size;
        } else {
            // Identical bytes again (a resend after a reconnect): ack again, with what the store has of the clip.
            ClipStatus status = store.status(deviceId, clipId);
            acks.received(clipId, status == null ? seq + 1 : Math.max(seq + 1, status.receivedFrames()));
        }
        // The store appends to one log in order and fsyncs the file, so when frame seq is durable so are 0..seq-1.
        int persistedBytes = windowed;
        whenDurable(submission, clipId, seq, windowed, () -> {
            if (persistedBytes >= 0) {
                metrics.framePersisted(persistedBytes, receivedNanos);
            }
            acks.persisted(clipId, seq + 1);
        });
    }

    void close(ClipClose message) {
        try (LogContext clip = LogContext.clip(message.getClipId())) {
            closeClip(message);
        }
    }

    private void closeClip(ClipClose message) {
        long clipId = message.getClipId();
        int frameCount = message.getFrameCount();
        String where = "device " + deviceId + " clip " + Long.toUnsignedString(clipId);
        Submission submission = store.closeClip(deviceId, clipId, frameCount);
        if (refused(
                submission, where + " close after " + Integer.toUnsignedString(frameCount) + " frames", clipId, -1)) {
            return;
        }
        metrics.clipClosed();
        LOG.debug("{} closed after {} frames ({})", where, frameCount, submission.outcome());
        active.remove(clipId);
        acks.closeReceived(clipId);
        whenDurable(submission, clipId, -1, -1, () -> {
            acks.persisted(clipId, frameCount);
            acks.closePersisted(clipId);
        });
    }

    /** Built only when something is said about the frame: this runs for every frame of every device. */
    private String where(long clipId, int seq) {
        return "device " + deviceId + " clip " + Long.toUnsignedString(clipId) + " frame "
                + Integer.toUnsignedString(seq);
    }

    /** Writes (without flushing) one RECEIVED ack per clip that had news in this read batch. */
    void writeReceivedAcks() {
        acks.takeReceived().forEach(ctx::write);
    }

    /** Completes on the event loop once every submission of this session has become durable or failed. */
    CompletableFuture<Void> drained() {
        if (drained == null) {
            drained = new CompletableFuture<>();
        }
        completeIfDrained();
        return drained;
    }

    /**
     * A duplicate the store found by reading segments back costs the uplink disk reads on this event loop: it counts
     * against the device's error limit, so that a device resending old records in a loop is closed (a refusal counts
     * already). True when that closed the session.
     */
    private boolean readBackTooOften(Submission submission, String what) {
        return submission.readBack() && submission.stored() && !readBacks.test(what);
    }

    private boolean refused(Submission submission, String where, long clipId, int seq) {
        ErrorCode code = switch (submission.outcome()) {
            case ACCEPTED, DUPLICATE -> null;
            case UNKNOWN_CLIP -> ErrorCode.UNKNOWN_CLIP;
            case CLIP_CONFLICT -> ErrorCode.CLIP_CONFLICT;
            case SEQUENCE_GAP -> ErrorCode.SEQUENCE_GAP;
            case FRAME_CONFLICT -> ErrorCode.FRAME_CONFLICT;
            case CLIP_CLOSED -> ErrorCode.CLIP_CLOSED;
            case BAD_CLOSE -> ErrorCode.BAD_CLOSE;
            case STORAGE_UNAVAILABLE -> ErrorCode.STORAGE_UNAVAILABLE;
            case STOPPED -> ErrorCode.SHUTTING_DOWN;
        };
        if (code == null) {
            return false;
        }
        // The store's refusals of a clip name the device and clip already; its refusals of the whole store do not.
        String detail = submission.detail();
        String text = detail.startsWith("device " + deviceId + " clip ") ? detail : where + ": " + detail;
        errors.accept(seq < 0 ? ErrorCodes.error(code, text, clipId) : ErrorCodes.frameError(code, text, clipId, seq));
        return true;
    }

    /** windowedBytes is -1 when the submission does not count against the window (only new frames do). */
    private void whenDurable(Submission submission, long clipId, int seq, int windowedBytes, Runnable onDurable) {
        pendingDurable++;
        loop.whenComplete(submission.durable(), failure -> {
            try (LogContext clip = LogContext.clip(clipId)) {
                durableDone(clipId, seq, windowedBytes, onDurable, failure);
            }
        });
    }

    private void durableDone(long clipId, int seq, int windowedBytes, Runnable onDurable, Throwable failure) {
        pendingDurable--;
        if (windowedBytes >= 0) {
            inFlightFrames--;
            inFlightBytes -= windowedBytes;
        }
        if (failure == null) {
            onDurable.run();
        } else {
            storageFailed(clipId, seq, failure);
        }
        scheduleFlush();
        completeIfDrained();
    }

    private void storageFailed(long clipId, int seq, Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String text = "device " + deviceId + " clip " + Long.toUnsignedString(clipId)
                + (seq < 0 ? "" : " frame " + Integer.toUnsignedString(seq)) + ": not persisted: " + cause.getMessage();
        errors.accept(
                seq < 0
                        ? ErrorCodes.error(ErrorCode.STORAGE_UNAVAILABLE, text, clipId)
                        : ErrorCodes.frameError(ErrorCode.STORAGE_UNAVAILABLE, text, clipId, seq));
    }

    /** Writes the PERSISTED acks due and flushes them with any Error written outside a read batch. */
    private void scheduleFlush() {
        if (flushScheduled) {
            return;
        }
        flushScheduled = true;
        // Queued behind the other durable completions already waiting, so one group commit yields one ack per clip.
        loop.later(() -> {
            flushScheduled = false;
            acks.takePersisted().forEach(ctx::write);
            ctx.flush();
        });
    }

    private void completeIfDrained() {
        if (drained != null && pendingDurable == 0) {
            if (acks.persistedDue()) {
                acks.takePersisted().forEach(ctx::write);
                ctx.flush();
            }
            drained.complete(null);
        }
    }
}
