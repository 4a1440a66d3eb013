package dev.doorbell.uplink.store;

import java.util.Arrays;

/**
 * Where each durable frame of a clip lies on disk: segment number, record offset and framed length, by seq. Only
 * locations are kept in memory, never frame bytes; a comparison reads the frame back. A closed clip's locations may be
 * released (only the count stays): its frames are then found by reading its segments.
 */
final class FrameLocations {
    private long[] segments = new long[8];
    private long[] offsets = new long[8];
    private int[] lengths = new int[8];
    private int size;

    void add(long segment, long offset, int length) {
        if (released()) {
            throw new IllegalStateException("frame locations were released; no frame may follow");
        }
        if (size == offsets.length) {
            int capacity = size * 2;
            segments = Arrays.copyOf(segments, capacity);
            offsets = Arrays.copyOf(offsets, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
        }
        segments[size] = segment;
        offsets[size] = offset;
        lengths[size] = length;
        size++;
    }

    /** Records of {@code segment} at {@code oldOffsets} (ascending) now lie at {@code newOffsets}. */
    void moved(long segment, long[] oldOffsets, long[] newOffsets) {
        if (released()) {
            return;
        }
        for (int i = 0; i < size; i++) {
            if (segments[i] == segment) {
                int at = Arrays.binarySearch(oldOffsets, offsets[i]);
                if (at < 0) {
                    throw new IllegalStateException("a kept frame at segment " + segment + " offset " + offsets[i]
                            + " is not among the records compaction kept");
                }
                offsets[i] = newOffsets[at];
            }
        }
    }

    /** Drops the locations of a closed clip, keeping how many frames it has. */
    void release() {
        segments = null;
        offsets = null;
        lengths = null;
    }

    /** Released from the start, for a closed clip of {@code count} frames whose locations are not known. */
    void releaseWith(int count) {
        if (size != 0) {
            throw new IllegalStateException("frame locations of " + size + " frames already added");
        }
        size = count;
        release();
    }

    boolean released() {
        return offsets == null;
    }

    /** Bytes of the arrays held: 20 a frame slot (8 segment, 8 offset, 4 length) plus 3 array headers of 16. */
    long bytesHeld() {
        return released() ? 0 : 48L + 20L * offsets.length;
    }

    int size() {
        return size;
    }

    long segment(int seq) {
        return segments[check(seq)];
    }

    long offset(int seq) {
        return offsets[check(seq)];
    }

    int length(int seq) {
        return lengths[check(seq)];
    }

    private int check(int seq) {
        if (released()) {
            throw new IllegalStateException("frame " + seq + ": locations were released");
        }
        if (seq < 0 || seq >= size) {
            throw new IndexOutOfBoundsException("frame " + seq + " of " + size + " durable frames");
        }
        return seq;
    }
}
