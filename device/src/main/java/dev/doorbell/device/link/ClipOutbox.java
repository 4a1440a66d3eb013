package dev.doorbell.device.link;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipClose;
import dev.doorbell.proto.v1.ClipOpen;
import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.Frame;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * Everything the device still owes the uplink for one clip: the header, every frame not yet PERSISTED, and the
 * close. Messages are built once, when queued, and the same objects are written again on resume, so a re-sent
 * frame carries byte for byte what was sent first (the device has no key and could not seal again anyway).
 * Confined to the client's event loop.
 */
final class ClipOutbox {
    final long clipId;
    final DeviceMessage open;
    private final ArrayList<DeviceMessage> frames = new ArrayList<>();
    private int[] sealedSizes = new int[16];
    private boolean lastQueued;
    private int closeFrameCount = -1;
    private long bufferedBytes;
    private long sealedBytesTotal;

    int persisted;
    int received;
    boolean closePersisted;
    /** Highest seq + 1 ever written, in any session: writes below it are retransmissions. */
    int maxSent;

    // Per session: reset by startSession().
    boolean openSent;
    int nextSend;
    boolean closeSent;

    /** Dropped by buffer policy while frames were in flight: kept only to release the window as acks arrive. */
    boolean ghost;

    ClipOutbox(long clipId, ByteString header) {
        this.clipId = clipId;
        this.open = DeviceMessage.newBuilder()
                .setClipOpen(ClipOpen.newBuilder().setClipId(clipId).setHeader(header))
                .build();
        this.bufferedBytes = header.size();
    }

    /** What a frame costs in the outbox buffer: its meta and sealed bytes. */
    static long cost(ByteString meta, ByteString sealed) {
        return (long) meta.size() + sealed.size();
    }

    /** Queues frame {@code seq}; returns null, or why the frame cannot belong to this clip. */
    String addFrame(int seq, boolean last, ByteString meta, ByteString sealed) {
        if (seq != frames.size()) {
            return "frame seq " + seq + " out of order, expected " + frames.size();
        }
        if (lastQueued || closeFrameCount >= 0) {
            return "frame seq " + seq + " after the last frame or the close";
        }
        frames.add(DeviceMessage.newBuilder()
                .setFrame(Frame.newBuilder()
                        .setClipId(clipId)
                        .setSeq(seq)
                        .setLast(last)
                        .setMeta(meta)
                        .setSealed(sealed))
                .build());
        if (seq == sealedSizes.length) {
            sealedSizes = Arrays.copyOf(sealedSizes, seq * 2);
        }
        sealedSizes[seq] = sealed.size();
        lastQueued = last;
        bufferedBytes += cost(meta, sealed);
        sealedBytesTotal += sealed.size();
        return null;
    }

    /** Whether the clip's final frame (last = true) has been queued. */
    boolean finalQueued() {
        return lastQueued;
    }

    void requestClose(int frameCount) {
        closeFrameCount = frameCount;
    }

    boolean closeRequested() {
        return closeFrameCount >= 0;
    }

    DeviceMessage closeMessage() {
        return DeviceMessage.newBuilder()
                .setClipClose(ClipClose.newBuilder().setClipId(clipId).setFrameCount(closeFrameCount))
                .build();
    }

    int queued() {
        return frames.size();
    }

    DeviceMessage frame(int seq) {
        return frames.get(seq);
    }

    int sealedSize(int seq) {
        return sealedSizes[seq];
    }

    long sealedBytesTotal() {
        return sealedBytesTotal;
    }

    long bufferedBytes() {
        return bufferedBytes;
    }

    /** Frees frames below {@code upTo} (now durable) and returns how many buffered bytes that released. */
    long markPersisted(int upTo) {
        long freed = 0;
        for (int seq = persisted; seq < upTo && seq < frames.size(); seq++) {
            DeviceMessage kept = frames.set(seq, null);
            if (kept != null) {
                freed += cost(kept.getFrame().getMeta(), kept.getFrame().getSealed());
            }
        }
        persisted = Math.max(persisted, upTo);
        bufferedBytes -= freed;
        return freed;
    }

    /** Frees everything still kept, header included, and returns the bytes released. */
    long releaseAll() {
        long freed = bufferedBytes;
        frames.replaceAll(m -> null);
        bufferedBytes = 0;
        return freed;
    }

    /** Frames written in this session and not yet PERSISTED. */
    int inFlight() {
        return Math.max(0, nextSend - persisted);
    }

    /** Every queued frame is durable, and so is the close if one was requested. */
    boolean settled() {
        return persisted >= frames.size() && (!closeRequested() || closePersisted);
    }

    boolean complete() {
        return closeRequested() && persisted >= closeFrameCount && closePersisted;
    }

    void startSession() {
        openSent = false;
        nextSend = persisted;
        closeSent = false;
    }
}
