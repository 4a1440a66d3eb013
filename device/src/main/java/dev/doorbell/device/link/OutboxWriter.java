package dev.doorbell.device.link;

import dev.doorbell.device.fault.CrashPoint;
import dev.doorbell.device.fault.InsecureCrashPoints;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Welcome;
import io.netty.channel.Channel;

/**
 * Writes the outbox to the welcomed channel, oldest clip first, within the limits of the Welcome: the window
 * (frames and sealed bytes written but not yet PERSISTED), max_frame_bytes, max_message_bytes and max_open_clips.
 * Keeps the in-flight count that the window is measured against. Confined to the event loop.
 */
final class OutboxWriter {
    /** Called for a frame the uplink's limits forbid; the clip cannot be completed. */
    interface Refusal {
        void refuse(ClipOutbox clip, int seq, ErrorCode code, String problem);
    }

    private final Outbox outbox;
    private final LinkCounters counters;
    private final Refusal refusal;
    private Channel channel;
    private Welcome welcome;
    private int inFlightFrames;
    private long inFlightBytes;

    OutboxWriter(Outbox outbox, LinkCounters counters, Refusal refusal) {
        this.outbox = outbox;
        this.counters = counters;
        this.refusal = refusal;
    }

    /** Starts a session on a welcomed channel, or ends it with (null, null); nothing is in flight either way. */
    void session(Channel ch, Welcome w) {
        channel = ch;
        welcome = w;
        inFlightFrames = 0;
        inFlightBytes = 0;
    }

    boolean inSession() {
        return channel != null;
    }

    /** Frames [from, to) of a clip, written in this session, are no longer in flight (persisted or refused). */
    void land(ClipOutbox c, int from, int to) {
        for (int seq = from; seq < to; seq++) {
            inFlightFrames--;
            inFlightBytes -= c.sealedSize(seq);
        }
    }

    /** Writes whatever the limits allow and flushes once. */
    void pump() {
        if (channel == null || !channel.isActive()) {
            return;
        }
        int openAtUplink = 0;
        for (ClipOutbox c : outbox.clips()) {
            if (c.openSent && !c.closeSent) {
                openAtUplink++;
            }
        }
        boolean wrote = false;
        boolean wroteHeader = false;
        clips:
        for (ClipOutbox c : outbox.clips()) {
            if (c.ghost) {
                continue;
            }
            if (!c.openSent) {
                if (welcome.getMaxOpenClips() > 0 && openAtUplink >= welcome.getMaxOpenClips()) {
                    break;
                }
                channel.write(c.open, channel.voidPromise());
                c.openSent = true;
                openAtUplink++;
                wrote = true;
                wroteHeader = true;
            }
            while (c.nextSend < c.queued()) {
                int seq = c.nextSend;
                int size = c.sealedSize(seq);
                String tooLarge = tooLarge(c.frame(seq), size);
                if (tooLarge != null) {
                    refusal.refuse(c, seq, ErrorCode.FRAME_TOO_LARGE, tooLarge);
                    continue clips;
                }
                if (!windowAllows(size)) {
                    break clips;
                }
                channel.write(c.frame(seq), channel.voidPromise());
                wrote = true;
                c.nextSend++;
                inFlightFrames++;
                inFlightBytes += size;
                counters.framesSent.increment();
                counters.bytesSent.add(size);
                if (seq < c.maxSent) {
                    counters.framesRetransmitted.increment();
                } else {
                    c.maxSent = seq + 1;
                }
            }
            if (c.closeRequested() && !c.closeSent && !c.closePersisted) {
                channel.write(c.closeMessage(), channel.voidPromise());
                c.closeSent = true;
                openAtUplink--;
                wrote = true;
            }
        }
        if (wrote) {
            channel.flush();
        }
        if (wroteHeader) {
            InsecureCrashPoints.reached(CrashPoint.CLIP_START_HEADER_SENT);
        }
    }

    private String tooLarge(DeviceMessage frame, int sealedSize) {
        if (welcome.getMaxFrameBytes() > 0 && sealedSize > welcome.getMaxFrameBytes()) {
            return sealedSize + " sealed bytes exceed the uplink's maximum of " + welcome.getMaxFrameBytes();
        }
        int messageSize = frame.getSerializedSize();
        if (welcome.getMaxMessageBytes() > 0 && messageSize > welcome.getMaxMessageBytes()) {
            return "message of " + messageSize + " bytes exceeds the uplink's maximum of "
                    + welcome.getMaxMessageBytes();
        }
        return null;
    }

    /** A frame larger than the byte window alone still goes when nothing is in flight, or it could never go. */
    private boolean windowAllows(int size) {
        int maxFrames = welcome.getWindowFrames();
        int maxBytes = welcome.getWindowBytes();
        if (maxFrames > 0 && inFlightFrames >= maxFrames) {
            return false;
        }
        return maxBytes <= 0 || inFlightFrames == 0 || inFlightBytes + size <= maxBytes;
    }
}
