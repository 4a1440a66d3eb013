package dev.doorbell.seal;

/**
 * One frame as the device sends it: {@code meta} is a serialized FrameMeta in v1 and v2 and empty in v3 (whose frame
 * facts are sealed inside), and {@code sealed} is ciphertext ‖ tag, both bound into the frame's AAD and nonce exactly
 * as they are here.
 */
public record SealedFrame(long clipId, int seq, boolean last, byte[] meta, byte[] sealed) {
    /** The same frame in the shape the opener reads back from a store. */
    public StoredFrameBytes toStored() {
        return new StoredFrameBytes(seq, last, meta, sealed);
    }
}
