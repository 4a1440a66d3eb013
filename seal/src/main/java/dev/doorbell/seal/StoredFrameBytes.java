package dev.doorbell.seal;

/** One frame as a store returns it, the input of {@link ClipOpener}; the bytes are used exactly as given. */
public record StoredFrameBytes(int seq, boolean last, byte[] meta, byte[] sealed) {
    public StoredFrameBytes {
        if (meta == null || sealed == null) {
            throw new IllegalArgumentException("frame " + seq + ": meta and sealed bytes must not be null");
        }
    }
}
