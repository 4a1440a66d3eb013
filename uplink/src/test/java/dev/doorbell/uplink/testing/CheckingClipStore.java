package dev.doorbell.uplink.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.store.ClipStatus;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.uplink.store.Outcome;
import dev.doorbell.uplink.store.StoreStats;
import dev.doorbell.uplink.store.Submission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An {@link InMemoryClipStore} that checks what the session hands it against the limits of the config, and whose
 * durable futures complete only in {@link #release()}, on the caller's thread. A session on an EmbeddedChannel (whose
 * event loop is the test thread) then sees every storage result at a point the test chose, deterministically.
 * Everything the session should never have submitted is collected in {@link #violations()}.
 */
public final class CheckingClipStore implements ClipStore {
    private record Pending(CompletableFuture<Void> stored, CompletableFuture<Void> released, int windowedBytes) {}

    private final InMemoryClipStore store = new InMemoryClipStore();
    private final UplinkConfig config;
    private final List<Pending> pending = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final Set<String> devices = new TreeSet<>();
    private int inFlightFrames;
    private long inFlightBytes;

    public CheckingClipStore(UplinkConfig config) {
        this.config = config;
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** Every device id the session wrote under. */
    public Set<String> devices() {
        return Set.copyOf(devices);
    }

    /** Completes every durable future handed out so far, in order, once the underlying store has committed it. */
    public void release() {
        List<Pending> now = new ArrayList<>(pending);
        pending.clear();
        for (Pending p : now) {
            Throwable failure = null;
            try {
                p.stored().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                failure = e;
            }
            if (p.windowedBytes() >= 0) {
                inFlightFrames--;
                inFlightBytes -= p.windowedBytes();
            }
            if (failure == null) {
                p.released().complete(null);
            } else {
                p.released().completeExceptionally(failure);
            }
        }
    }

    @Override
    public Submission openClip(String deviceId, long clipId, byte[] header) {
        checkDevice(deviceId);
        if (store.status(deviceId, clipId) == null && store.openClips(deviceId).size() >= config.maxOpenClips()) {
            violations.add("clip " + Long.toUnsignedString(clipId) + " opened beyond " + config.maxOpenClips());
        }
        try {
            ClipHeader parsed = ClipHeader.parseFrom(header);
            if (!parsed.getDeviceId().equals(deviceId) || parsed.getClipId() != clipId) {
                violations.add("header of clip " + Long.toUnsignedString(clipId) + " names another device or clip");
            }
        } catch (InvalidProtocolBufferException e) {
            violations.add("header of clip " + Long.toUnsignedString(clipId) + " is not a ClipHeader");
        }
        return gate(store.openClip(deviceId, clipId, header), -1);
    }

    @Override
    public Submission appendFrame(
            String deviceId, long clipId, int seq, boolean last, ByteString meta, ByteString sealed) {
        checkDevice(deviceId);
        String where = "clip " + Long.toUnsignedString(clipId) + " frame " + Integer.toUnsignedString(seq);
        if (sealed.size() > config.maxFrameBytes()) {
            violations.add(where + ": " + sealed.size() + " sealed bytes passed the limit " + config.maxFrameBytes());
        }
        if (Integer.toUnsignedLong(seq) >= config.maxFramesPerClip()) {
            violations.add(where + ": beyond the clip length limit " + config.maxFramesPerClip());
        }
        if (inFlightFrames + 1 > config.windowFrames() || inFlightBytes + sealed.size() > config.windowBytes()) {
            violations.add(where + ": beyond the window (" + inFlightFrames + " frames, " + inFlightBytes + " bytes)");
        }
        Submission submission = store.appendFrame(deviceId, clipId, seq, last, meta, sealed);
        int windowed = submission.outcome() == Outcome.ACCEPTED ? sealed.size() : -1;
        if (windowed >= 0) {
            inFlightFrames++;
            inFlightBytes += windowed;
        }
        return gate(submission, windowed);
    }

    @Override
    public Submission closeClip(String deviceId, long clipId, int frameCount) {
        checkDevice(deviceId);
        return gate(store.closeClip(deviceId, clipId, frameCount), -1);
    }

    @Override
    public ClipStatus status(String deviceId, long clipId) {
        return store.status(deviceId, clipId);
    }

    @Override
    public List<ClipStatus> openClips(String deviceId) {
        return store.openClips(deviceId);
    }

    @Override
    public StoreStats stats() {
        return store.stats();
    }

    @Override
    public void close() {
        release();
        store.close();
    }

    private void checkDevice(String deviceId) {
        devices.add(deviceId);
        if (!DeviceIds.isValid(deviceId)) {
            violations.add("a write under the invalid device id '" + deviceId + "'");
        }
    }

    private Submission gate(Submission submission, int windowedBytes) {
        CompletableFuture<Void> released = new CompletableFuture<>();
        pending.add(new Pending(submission.durable(), released, windowedBytes));
        return new Submission(submission.outcome(), submission.detail(), released);
    }
}
