package dev.doorbell.device.link;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.Ack;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ClipState;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Hello;
import dev.doorbell.proto.v1.Welcome;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upload state machine of one device, confined to its event loop: queues clips, writes them within the
 * Welcome's window, applies acks and resume points, and drops clips by policy or after non-retriable errors.
 * Nothing is written before Welcome: {@link #pump()} needs the welcomed channel.
 */
final class LinkFlow {
    private static final Logger log = LoggerFactory.getLogger(LinkFlow.class);
    static final int PROTOCOL_VERSION = 1;

    /** What the connection should do after an Error. */
    enum ErrorOutcome {
        CONTINUE,
        RECONNECT,
        GIVE_UP
    }

    private final LinkConfig config;
    private final Outbox outbox;
    private final LinkCounters counters;
    private final LinkListener listener;
    private final Drains drains;
    private final OutboxWriter writer;

    private final RecipientListUpdates recipientLists;
    private final ClipAcknowledgements acknowledgements;

    LinkFlow(
            LinkConfig config,
            Outbox outbox,
            LinkCounters counters,
            LinkListener listener,
            RecipientListUpdates recipientLists,
            ClipAcknowledgements acknowledgements) {
        this.config = config;
        this.recipientLists = recipientLists;
        this.acknowledgements = acknowledgements;
        this.outbox = outbox;
        this.counters = counters;
        this.listener = listener;
        this.drains = new Drains(config.deviceId(), outbox);
        this.writer = new OutboxWriter(outbox, counters, this::localError);
    }

    Drains drains() {
        return drains;
    }

    DeviceMessage hello() {
        Hello.Builder hello = Hello.newBuilder()
                .addVersions(PROTOCOL_VERSION)
                .setDeviceId(config.deviceId())
                .setFirmware(config.firmware())
                .setRecipientListVersion(recipientLists.heldVersion());
        for (ClipOutbox c : outbox.clips()) {
            if (!c.ghost) {
                hello.addOpenClips(c.clipId);
            }
        }
        return DeviceMessage.newBuilder().setHello(hello).build();
    }

    void enqueueOpen(long clipId, ByteString header) {
        if (outbox.get(clipId) != null) {
            outbox.release(header.size());
            log.warn("clip opened twice, second open ignored device={} clip={}", config.deviceId(), clipId);
            return;
        }
        outbox.add(new ClipOutbox(clipId, header));
        afterEnqueue();
    }

    void enqueueFrame(long clipId, int seq, boolean last, ByteString meta, ByteString sealed) {
        ClipOutbox c = outbox.get(clipId);
        if (c == null || c.ghost) {
            outbox.release(ClipOutbox.cost(meta, sealed));
            if (!outbox.isDiscarded(clipId)) {
                log.warn(
                        "frame for a clip that is not open, discarded device={} clip={} seq={}",
                        config.deviceId(),
                        clipId,
                        seq);
            }
            return;
        }
        String problem = c.addFrame(seq, last, meta, sealed);
        if (problem != null) {
            outbox.release(ClipOutbox.cost(meta, sealed));
            localError(c, seq, ErrorCode.SEQUENCE_GAP, problem);
            return;
        }
        afterEnqueue();
    }

    void enqueueClose(long clipId, int frameCount) {
        ClipOutbox c = outbox.get(clipId);
        if (c == null || c.ghost) {
            outbox.forgetDiscarded(clipId);
            return;
        }
        c.requestClose(frameCount);
        finishIfComplete(c);
        pump();
    }

    private void afterEnqueue() {
        if (outbox.policy() == BufferPolicy.DROP_OLDEST_CLIP) {
            while (outbox.overLimit()) {
                ClipOutbox oldest = outbox.oldestLive();
                if (oldest == null) {
                    break;
                }
                drop(oldest, "buffer full", false, true);
            }
        }
        pump();
    }

    void welcomed(Channel ch, Welcome w) {
        startSession();
        writer.session(ch, w);
        for (ClipState s : w.getClipsList()) {
            ClipOutbox c = outbox.get(s.getClipId());
            if (c == null || c.ghost) {
                continue;
            }
            c.openSent = s.getKnown();
            int reported = s.getPersistedFrames();
            if (reported < c.persisted) {
                log.warn(
                        "uplink reports fewer persisted frames than it acknowledged device={} clip={} reported={} acked={}",
                        config.deviceId(),
                        c.clipId,
                        reported,
                        c.persisted);
            } else {
                persistedUpTo(c, Math.min(reported, c.queued()));
            }
            c.nextSend = c.persisted;
            if (s.getClosed()) {
                c.closePersisted = true;
                c.closeSent = true;
            }
            finishIfComplete(c);
        }
        pump();
        drains.check();
    }

    void sessionEnded() {
        startSession();
    }

    private void startSession() {
        writer.session(null, null);
        outbox.removeGhosts();
        for (ClipOutbox c : outbox.clips()) {
            c.startSession();
            c.received = c.persisted;
        }
    }

    void onAck(Ack ack) {
        ClipOutbox c = outbox.get(ack.getClipId());
        if (c == null) {
            return;
        }
        int frames = Math.min(ack.getFrames(), c.queued());
        if (ack.getKind() == AckKind.ACK_KIND_RECEIVED) {
            if (frames > c.received) {
                counters.framesReceivedAcked.add(frames - c.received);
                c.received = frames;
            }
            return;
        }
        if (ack.getKind() != AckKind.ACK_KIND_PERSISTED) {
            return;
        }
        persistedUpTo(c, frames);
        if (ack.getClosed()) {
            c.closePersisted = true;
        }
        if (c.ghost) {
            if (c.inFlight() == 0) {
                outbox.remove(c.clipId);
            }
        } else {
            finishIfComplete(c);
        }
        pump();
        drains.check();
    }

    ErrorOutcome onError(Error e) {
        counters.error(e.getCode());
        listener.onError(e);
        ClipOutbox c = e.getClipId() == 0 ? null : outbox.get(e.getClipId());
        if (!e.getRetriable() && c != null && !c.ghost) {
            drop(c, "uplink error " + e.getCode(), true, false);
        }
        if (e.getFatal() && !e.getRetriable() && e.getClipId() == 0) {
            return ErrorOutcome.GIVE_UP;
        }
        return e.getFatal() || e.getRetriable() ? ErrorOutcome.RECONNECT : ErrorOutcome.CONTINUE;
    }

    private void persistedUpTo(ClipOutbox c, int frames) {
        int before = c.persisted;
        if (frames <= before) {
            return;
        }
        writer.land(c, before, Math.min(frames, c.nextSend));
        long freed = c.markPersisted(frames);
        c.nextSend = Math.max(c.nextSend, c.persisted);
        outbox.release(freed);
        counters.framesPersisted.add(frames - before);
        acknowledged(c);
        if (!c.ghost) {
            listener.onPersisted(c.clipId, frames);
        }
    }

    /** A dropped clip's acks count too: those frames are durable on the uplink all the same. */
    private void acknowledged(ClipOutbox c) {
        try {
            acknowledgements.persisted(c.clipId, c.persisted, c.finalQueued() && c.persisted >= c.queued());
        } catch (RuntimeException e) {
            log.warn("chain state failed on an acknowledgement device={} clip={}", config.deviceId(), c.clipId, e);
        }
    }

    private void finishIfComplete(ClipOutbox c) {
        if (c.ghost || !c.complete()) {
            return;
        }
        outbox.remove(c.clipId);
        outbox.release(c.releaseAll());
        counters.clipsPersisted.increment();
        log.info(
                "clip persisted device={} clip={} frames={} bytes={}",
                config.deviceId(),
                String.format("%016x", c.clipId),
                c.queued(),
                c.sealedBytesTotal());
        listener.onClipPersisted(c.clipId, c.queued(), c.sealedBytesTotal());
        drains.check();
    }

    /**
     * Removes a clip that will not be completed. When its frames in flight are valid and will still be acked
     * ({@code keepWindow}), a ghost stays behind so those acks keep releasing the window the uplink counts them in.
     */
    private void drop(ClipOutbox c, String reason, boolean failed, boolean keepWindow) {
        if (keepWindow && writer.inSession() && c.inFlight() > 0) {
            c.ghost = true;
        } else {
            writer.land(c, c.persisted, c.nextSend);
            outbox.remove(c.clipId);
        }
        outbox.release(c.releaseAll());
        outbox.markDiscarded(c.clipId);
        (failed ? counters.failedClips : counters.droppedClips).increment();
        log.warn(
                "clip dropped device={} clip={} queued={} persisted={} reason={}",
                config.deviceId(),
                String.format("%016x", c.clipId),
                c.queued(),
                c.persisted,
                reason);
        listener.onClipDropped(c.clipId, reason);
        drains.check();
    }

    private void localError(ClipOutbox c, int seq, ErrorCode code, String problem) {
        Error e = Error.newBuilder()
                .setCode(code)
                .setClipId(c.clipId)
                .setSeq(seq)
                .setHasSeq(true)
                .setMessage("device " + config.deviceId() + " clip " + c.clipId + " frame " + seq + ": " + problem)
                .build();
        counters.error(code);
        listener.onError(e);
        drop(c, problem, true, true);
    }

    void pump() {
        writer.pump();
    }
}
