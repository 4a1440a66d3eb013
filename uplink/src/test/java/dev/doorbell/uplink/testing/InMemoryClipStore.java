package dev.doorbell.uplink.testing;

import com.google.protobuf.ByteString;
import dev.doorbell.uplink.store.ClipStatus;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.uplink.store.Outcome;
import dev.doorbell.uplink.store.StoreStats;
import dev.doorbell.uplink.store.StoreUnavailableException;
import dev.doorbell.uplink.store.Submission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A ClipStore in memory with the semantics the brief gives the real one, for the server's tests until the
 * directory store is merged. "Durability" is a commit step on its own thread, which a test can hold back
 * ({@link #holdCommits()}) or make fail ({@link #failCommits(boolean)}) to observe RECEIVED before PERSISTED.
 */
public final class InMemoryClipStore implements ClipStore {
    private final Map<String, Clip> clips = new HashMap<>();
    private final List<Runnable> held = new ArrayList<>();
    private final ExecutorService committer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "in-memory-committer");
        t.setDaemon(true);
        return t;
    });
    private boolean holding;
    private boolean failing;
    private boolean stopped;
    private long records;
    private long bytes;
    private long commits;

    private static final class Clip {
        final byte[] header;
        final List<byte[]> frames = new ArrayList<>();
        final List<byte[]> metas = new ArrayList<>();
        final List<CompletableFuture<Void>> durable = new ArrayList<>();
        CompletableFuture<Void> openDurable;
        int persisted;
        boolean last;
        boolean closeReceived;
        boolean closePersisted;
        CompletableFuture<Void> closeDurable;

        Clip(byte[] header) {
            this.header = header;
        }
    }

    public synchronized void holdCommits() {
        holding = true;
    }

    /** Lets every held commit (and those after) go through. */
    public synchronized void releaseCommits() {
        holding = false;
        held.forEach(committer::execute);
        held.clear();
    }

    /** While true, every commit fails with StoreUnavailableException. */
    public synchronized void failCommits(boolean value) {
        failing = value;
    }

    /** The sealed bytes stored for a frame, or null. */
    public synchronized byte[] sealed(String deviceId, long clipId, int seq) {
        Clip clip = clips.get(key(deviceId, clipId));
        return clip == null || seq >= clip.frames.size()
                ? null
                : clip.frames.get(seq).clone();
    }

    @Override
    public synchronized Submission openClip(String deviceId, long clipId, byte[] header) {
        if (stopped) {
            return refused(Outcome.STOPPED, "store stopped");
        }
        Clip clip = clips.get(key(deviceId, clipId));
        if (clip != null) {
            return Arrays.equals(clip.header, header)
                    ? new Submission(Outcome.DUPLICATE, "header already stored", clip.openDurable)
                    : refused(Outcome.CLIP_CONFLICT, "clip already stored with other header bytes");
        }
        clip = new Clip(header.clone());
        clips.put(key(deviceId, clipId), clip);
        clip.openDurable = commit(header.length, () -> {});
        return new Submission(Outcome.ACCEPTED, "queued", clip.openDurable);
    }

    @Override
    public Submission appendFrame(
            String deviceId, long clipId, int seq, boolean last, ByteString meta, ByteString sealed) {
        return appendFrame(deviceId, clipId, seq, last, meta.toByteArray(), sealed.toByteArray());
    }

    @Override
    public synchronized Submission appendFrame(
            String deviceId, long clipId, int seq, boolean last, byte[] meta, byte[] sealed) {
        if (stopped) {
            return refused(Outcome.STOPPED, "store stopped");
        }
        Clip clip = clips.get(key(deviceId, clipId));
        if (clip == null) {
            return refused(Outcome.UNKNOWN_CLIP, "no such clip");
        }
        if (seq < clip.frames.size()) {
            return Arrays.equals(clip.frames.get(seq), sealed) && Arrays.equals(clip.metas.get(seq), meta)
                    ? new Submission(Outcome.DUPLICATE, "frame already stored", clip.durable.get(seq))
                    : refused(Outcome.FRAME_CONFLICT, "different bytes for a stored frame");
        }
        if (clip.last || clip.closeReceived) {
            return refused(Outcome.CLIP_CLOSED, "the clip has its final frame");
        }
        if (seq > clip.frames.size()) {
            return refused(Outcome.SEQUENCE_GAP, "expected frame " + clip.frames.size());
        }
        clip.frames.add(sealed.clone());
        clip.metas.add(meta.clone());
        clip.last = last;
        CompletableFuture<Void> durable =
                commit(sealed.length, () -> clip.persisted = Math.max(clip.persisted, seq + 1));
        clip.durable.add(durable);
        return new Submission(Outcome.ACCEPTED, "queued", durable);
    }

    @Override
    public synchronized Submission closeClip(String deviceId, long clipId, int frameCount) {
        if (stopped) {
            return refused(Outcome.STOPPED, "store stopped");
        }
        Clip clip = clips.get(key(deviceId, clipId));
        if (clip == null) {
            return refused(Outcome.UNKNOWN_CLIP, "no such clip");
        }
        if (!clip.last || frameCount != clip.frames.size()) {
            return refused(Outcome.BAD_CLOSE, clip.frames.size() + " frames received, last=" + clip.last);
        }
        if (clip.closeReceived) {
            return new Submission(Outcome.DUPLICATE, "close already stored", clip.closeDurable);
        }
        clip.closeReceived = true;
        clip.closeDurable = commit(0, () -> clip.closePersisted = true);
        return new Submission(Outcome.ACCEPTED, "queued", clip.closeDurable);
    }

    @Override
    public synchronized ClipStatus status(String deviceId, long clipId) {
        Clip c = clips.get(key(deviceId, clipId));
        return c == null
                ? null
                : new ClipStatus(
                        deviceId, clipId, c.frames.size(), c.persisted, c.last, c.closeReceived, c.closePersisted);
    }

    @Override
    public synchronized List<ClipStatus> openClips(String deviceId) {
        List<ClipStatus> out = new ArrayList<>();
        clips.forEach((key, clip) -> {
            if (key.startsWith(deviceId + "/") && !clip.closeReceived) {
                out.add(status(deviceId, Long.parseUnsignedLong(key.substring(deviceId.length() + 1))));
            }
        });
        return out;
    }

    @Override
    public synchronized StoreStats stats() {
        return new StoreStats(records, bytes, commits, commits, 0, 0, 0, 0);
    }

    @Override
    public synchronized void close() {
        stopped = true;
        committer.shutdown();
    }

    private CompletableFuture<Void> commit(int size, Runnable onDurable) {
        CompletableFuture<Void> durable = new CompletableFuture<>();
        records++;
        bytes += size;
        Runnable task = () -> {
            boolean fail;
            synchronized (this) {
                fail = failing;
                if (!fail) {
                    onDurable.run();
                    commits++;
                }
            }
            if (fail) {
                durable.completeExceptionally(new StoreUnavailableException("simulated fsync failure", null));
            } else {
                durable.complete(null);
            }
        };
        if (holding) {
            held.add(task);
        } else {
            committer.execute(task);
        }
        return durable;
    }

    private static Submission refused(Outcome outcome, String detail) {
        return new Submission(outcome, detail, CompletableFuture.completedFuture(null));
    }

    private static String key(String deviceId, long clipId) {
        return deviceId + "/" + Long.toUnsignedString(clipId);
    }
}
