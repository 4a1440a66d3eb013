package dev.doorbell.device.link;

/**
 * What {@link LinkClient} does when its outbox (every byte kept until PERSISTED) would exceed
 * {@link LinkConfig#bufferLimitBytes()}.
 */
public enum BufferPolicy {
    /**
     * Refuse the new item: {@code openClip} and {@code send} return false and keep nothing, so the camera can hold
     * the data (or skip the frame) and try again after a {@link LinkListener#onPersisted} event frees space. An item
     * larger than the whole limit is always refused.
     */
    BLOCK,
    /**
     * Accept the new item, then drop whole clips, oldest first, until the outbox fits again; never part of a clip.
     * The clip being written can be the one dropped; its later frames are then discarded too. Each drop is counted
     * in {@link LinkStats#droppedClips()} and reported to {@link LinkListener#onClipDropped}.
     */
    DROP_OLDEST_CLIP
}
