package dev.doorbell.device.link;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clips a device still owes the uplink, oldest first, and the byte budget they share. The budget is an atomic
 * counter so that {@link BufferPolicy#BLOCK} can refuse a frame on the caller's thread, synchronously, without a
 * lock and without waiting for the event loop; everything else is confined to the event loop.
 */
final class Outbox {
    /** Clip ids remembered as dropped, so that their late frames are discarded quietly; bounded. */
    private static final int MAX_DISCARDED_IDS = 4096;

    private final long limitBytes;
    private final BufferPolicy policy;
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final Map<Long, ClipOutbox> clips = new LinkedHashMap<>();
    private final Set<Long> discarded = new LinkedHashSet<>();

    Outbox(long limitBytes, BufferPolicy policy) {
        this.limitBytes = limitBytes;
        this.policy = policy;
    }

    /** Any thread. Claims budget for an item; false when {@link BufferPolicy#BLOCK} refuses it. */
    boolean reserve(long bytes) {
        if (policy == BufferPolicy.DROP_OLDEST_CLIP) {
            bufferedBytes.addAndGet(bytes);
            return true;
        }
        while (true) {
            long now = bufferedBytes.get();
            if (now + bytes > limitBytes) {
                return false;
            }
            if (bufferedBytes.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Any thread. */
    void release(long bytes) {
        bufferedBytes.addAndGet(-bytes);
    }

    AtomicLong bufferedBytes() {
        return bufferedBytes;
    }

    boolean overLimit() {
        return bufferedBytes.get() > limitBytes;
    }

    BufferPolicy policy() {
        return policy;
    }

    ClipOutbox get(long clipId) {
        return clips.get(clipId);
    }

    void add(ClipOutbox clip) {
        clips.put(clip.clipId, clip);
        discarded.remove(clip.clipId);
    }

    void remove(long clipId) {
        clips.remove(clipId);
    }

    /** A copy, oldest first, safe to iterate while clips are removed. */
    List<ClipOutbox> clips() {
        return new ArrayList<>(clips.values());
    }

    /** The oldest clip still owed (not a ghost), or null. */
    ClipOutbox oldestLive() {
        for (ClipOutbox c : clips.values()) {
            if (!c.ghost) {
                return c;
            }
        }
        return null;
    }

    void removeGhosts() {
        clips.values().removeIf(c -> c.ghost);
    }

    void markDiscarded(long clipId) {
        discarded.add(clipId);
        if (discarded.size() > MAX_DISCARDED_IDS) {
            Iterator<Long> oldest = discarded.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    boolean isDiscarded(long clipId) {
        return discarded.contains(clipId);
    }

    void forgetDiscarded(long clipId) {
        discarded.remove(clipId);
    }
}
