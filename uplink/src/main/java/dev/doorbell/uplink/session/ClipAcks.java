package dev.doorbell.uplink.session;

import dev.doorbell.proto.v1.Ack;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.UplinkMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Coalesces the acks of one session: however many frames of a clip arrived in one read batch, or became durable
 * in one group commit, the device gets one cumulative ack per clip and kind. Counts only grow, so an ack never
 * takes back what an earlier one said. Used on the channel's event loop only.
 */
final class ClipAcks {
    private final Map<Long, Progress> clips = new HashMap<>();

    private static final class Progress {
        int received;
        int persisted;
        boolean closeReceived;
        boolean closePersisted;
        boolean receivedDue;
        boolean persistedDue;
    }

    void received(long clipId, int frames) {
        Progress p = progress(clipId);
        p.received = Math.max(p.received, frames);
        p.receivedDue = true;
    }

    void closeReceived(long clipId) {
        Progress p = progress(clipId);
        p.closeReceived = true;
        p.receivedDue = true;
    }

    void persisted(long clipId, int frames) {
        Progress p = progress(clipId);
        p.persisted = Math.max(p.persisted, frames);
        p.received = Math.max(p.received, p.persisted);
        p.persistedDue = true;
    }

    void closePersisted(long clipId) {
        Progress p = progress(clipId);
        p.closePersisted = true;
        p.persistedDue = true;
    }

    int persistedFrames(long clipId) {
        Progress p = clips.get(clipId);
        return p == null ? 0 : p.persisted;
    }

    boolean persistedDue() {
        return clips.values().stream().anyMatch(p -> p.persistedDue);
    }

    /** One RECEIVED ack for each clip that had news since the last call. */
    List<UplinkMessage> takeReceived() {
        List<UplinkMessage> out = new ArrayList<>();
        clips.forEach((clipId, p) -> {
            if (p.receivedDue) {
                p.receivedDue = false;
                out.add(ack(clipId, AckKind.ACK_KIND_RECEIVED, p.received, p.closeReceived));
            }
        });
        return out;
    }

    /** One PERSISTED ack for each clip that had news; a clip whose close is durable is then forgotten. */
    List<UplinkMessage> takePersisted() {
        List<UplinkMessage> out = new ArrayList<>();
        clips.entrySet().removeIf(entry -> {
            Progress p = entry.getValue();
            if (p.persistedDue) {
                p.persistedDue = false;
                out.add(ack(entry.getKey(), AckKind.ACK_KIND_PERSISTED, p.persisted, p.closePersisted));
            }
            return p.closePersisted && !p.receivedDue;
        });
        return out;
    }

    private Progress progress(long clipId) {
        return clips.computeIfAbsent(clipId, id -> new Progress());
    }

    private static UplinkMessage ack(long clipId, AckKind kind, int frames, boolean closed) {
        return UplinkMessage.newBuilder()
                .setAck(Ack.newBuilder()
                        .setClipId(clipId)
                        .setKind(kind)
                        .setFrames(frames)
                        .setClosed(closed))
                .build();
    }
}
