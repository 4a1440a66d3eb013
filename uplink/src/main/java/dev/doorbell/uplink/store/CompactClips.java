package dev.doorbell.uplink.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Closed, intact clips beyond the most recently closed ones, in a few primitive arrays: 48 bytes a clip in rows of
 * six longs, plus 5 to 8 bytes of hash slots; no header bytes, no frame locations, no object per clip. What a
 * device may ask about such a clip is answered from the row, or by reading the record the row points at back from
 * its segment (its header), or by reading its segments (a frame). Not thread-safe: the index's lock guards it.
 */
final class CompactClips {
    /** A clip in compact form, as the index hands it out (a fresh copy, nothing of it is shared). */
    record Row(
            String deviceId,
            long clipId,
            int frameCount,
            long lastArrivalMs,
            long position,
            long firstSegment,
            long lastSegment,
            long headerOffset,
            int headerLength) {}

    private static final int CHUNK_BITS = 10;
    private static final int CHUNK_ROWS = 1 << CHUNK_BITS;
    private static final int STRIDE = 6;
    private static final int CLIP = 0;
    private static final int ARRIVAL = 1;
    private static final int POSITION = 2;
    /** The header record's offset in the high half (unsigned), its length in the low half. */
    private static final int HEADER = 3;
    /** Frame count in the high half, last segment minus first in the low half. */
    private static final int FRAMES_AND_SPAN = 4;
    /** First segment in the high half (unsigned), device number in the low half. */
    private static final int SEGMENT_AND_DEVICE = 5;

    private static final long LOW = 0xFFFF_FFFFL;
    /** Rows at most this share of the slots, so that a probe stays short; grown to half. */
    private static final double MAX_LOAD = 0.75;
    /** A device id's share of memory: the string, its bytes, the map entry and its boxed number. */
    private static final int BYTES_PER_DEVICE = 112;

    /** Rows in insertion order, packed: the row of a removed clip takes the last row. */
    private long[][] chunks = new long[0][];

    private int size;
    /** Open addressing with linear probing: row + 1, or 0 for an empty slot. */
    private int[] slots = new int[0];

    private final Map<String, Integer> deviceNumbers = new HashMap<>();
    private final List<String> devices = new ArrayList<>();
    private final List<Integer> deviceRows = new ArrayList<>();
    private final List<Integer> freeDeviceNumbers = new ArrayList<>();
    private long deviceIdChars;

    /**
     * Whether a clip fits a row: segment numbers and the header's offset below 2^32 (a store of 4 GiB segments fills
     * 2^32 of them only after 16 ZiB), a span of segments below 2^31. One that does not keeps its full form.
     */
    static boolean fits(long firstSegment, long lastSegment, long headerOffset) {
        long span = lastSegment - firstSegment;
        return firstSegment >= 0
                && firstSegment <= LOW
                && span >= 0
                && span <= Integer.MAX_VALUE
                && headerOffset >= 0
                && headerOffset <= LOW;
    }

    int size() {
        return size;
    }

    /** The clip's row number, or -1 when it is not here. */
    int find(String deviceId, long clipId) {
        Integer device = deviceNumbers.get(deviceId);
        if (device == null || size == 0) {
            return -1;
        }
        int number = device;
        int slot = home(hash(number, clipId));
        while (slots[slot] != 0) {
            int row = slots[slot] - 1;
            if (get(row, CLIP) == clipId && device(row) == number) {
                return row;
            }
            slot = next(slot);
        }
        return -1;
    }

    Row row(int row) {
        long header = get(row, HEADER);
        long framesAndSpan = get(row, FRAMES_AND_SPAN);
        long first = firstSegment(row);
        return new Row(
                devices.get(device(row)),
                get(row, CLIP),
                (int) (framesAndSpan >>> 32),
                get(row, ARRIVAL),
                get(row, POSITION),
                first,
                first + (framesAndSpan & LOW),
                header >>> 32,
                (int) header);
    }

    /** Adds a clip not here yet; {@link #fits} must hold for its segments. */
    void add(Row clip) {
        if (!fits(clip.firstSegment(), clip.lastSegment(), clip.headerOffset())) {
            throw new IllegalArgumentException("device " + clip.deviceId() + " clip "
                    + Long.toUnsignedString(clip.clipId()) + ": segments " + clip.firstSegment() + " to "
                    + clip.lastSegment() + " do not fit a compact row");
        }
        if (size + 1 > slots.length * MAX_LOAD) {
            rehash(Math.max(16, (size + 1) * 2));
        }
        int device = intern(clip.deviceId());
        int row = size;
        if (row >>> CHUNK_BITS == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunks.length + 1);
            chunks[chunks.length - 1] = new long[CHUNK_ROWS * STRIDE];
        }
        size++;
        set(row, CLIP, clip.clipId());
        set(row, ARRIVAL, clip.lastArrivalMs());
        set(row, POSITION, clip.position());
        set(row, HEADER, (clip.headerOffset() << 32) | (clip.headerLength() & LOW));
        set(row, FRAMES_AND_SPAN, ((long) clip.frameCount() << 32) | (clip.lastSegment() - clip.firstSegment()));
        set(row, SEGMENT_AND_DEVICE, (clip.firstSegment() << 32) | (device & LOW));
        int slot = home(hash(device, clip.clipId()));
        while (slots[slot] != 0) {
            slot = next(slot);
        }
        slots[slot] = row + 1;
    }

    /** Removes the clip at {@code row}; the last row moves into its place. */
    void remove(int row) {
        int device = device(row);
        vacate(slotOf(row));
        int last = size - 1;
        if (row != last) {
            int lastSlot = slotOf(last);
            long[] from = chunks[last >>> CHUNK_BITS];
            long[] to = chunks[row >>> CHUNK_BITS];
            System.arraycopy(from, (last & (CHUNK_ROWS - 1)) * STRIDE, to, (row & (CHUNK_ROWS - 1)) * STRIDE, STRIDE);
            slots[lastSlot] = row + 1;
        }
        size--;
        if ((size & (CHUNK_ROWS - 1)) == 0 && chunks.length > (size >>> CHUNK_BITS) + 1) {
            // Keep one empty chunk at most, so that a clip closing and one deleted in turn do not reallocate.
            chunks = Arrays.copyOf(chunks, (size >>> CHUNK_BITS) + 1);
        }
        release(device);
        if (size == 0) {
            slots = new int[0];
            chunks = new long[0][];
        } else if (slots.length > 64 && size < slots.length / 8) {
            rehash(size * 2);
        }
    }

    /**
     * After a compaction of {@code segment}: a header record of a clip here that lay at {@code oldOffsets[i]} lies at
     * {@code newOffsets[i]} now (old offsets ascending).
     */
    void moved(long segment, long[] oldOffsets, long[] newOffsets) {
        for (int row = 0; row < size; row++) {
            if (firstSegment(row) == segment) {
                long header = get(row, HEADER);
                int at = Arrays.binarySearch(oldOffsets, header >>> 32);
                if (at < 0) {
                    throw new IllegalStateException("the header of device " + devices.get(device(row)) + " clip "
                            + Long.toUnsignedString(get(row, CLIP)) + " at segment " + segment + " offset "
                            + (header >>> 32) + " is not among the records compaction kept");
                }
                // Compaction only moves records towards the start: the new offset fits where the old one did.
                set(row, HEADER, (newOffsets[at] << 32) | (header & LOW));
            }
        }
    }

    /** Every row, in row order (fresh copies). */
    List<Row> rows() {
        List<Row> all = new ArrayList<>(size);
        for (int row = 0; row < size; row++) {
            all.add(row(row));
        }
        return all;
    }

    /** The arrays held, exactly, plus an estimate for the device ids they name. */
    long bytesHeld() {
        long bytes = 16 + 4L * slots.length + 16 + 8L * chunks.length;
        bytes += (long) chunks.length * (16 + 8L * CHUNK_ROWS * STRIDE);
        return bytes + (long) BYTES_PER_DEVICE * deviceNumbers.size() + deviceIdChars;
    }

    private int intern(String deviceId) {
        Integer known = deviceNumbers.get(deviceId);
        if (known != null) {
            deviceRows.set(known, deviceRows.get(known) + 1);
            return known;
        }
        int number;
        if (freeDeviceNumbers.isEmpty()) {
            number = devices.size();
            devices.add(deviceId);
            deviceRows.add(1);
        } else {
            number = freeDeviceNumbers.remove(freeDeviceNumbers.size() - 1);
            devices.set(number, deviceId);
            deviceRows.set(number, 1);
        }
        deviceNumbers.put(deviceId, number);
        deviceIdChars += deviceId.length();
        return number;
    }

    private void release(int device) {
        int rows = deviceRows.get(device) - 1;
        deviceRows.set(device, rows);
        if (rows == 0) {
            String deviceId = devices.set(device, null);
            deviceNumbers.remove(deviceId);
            deviceIdChars -= deviceId.length();
            freeDeviceNumbers.add(device);
        }
    }

    private int slotOf(int row) {
        int slot = home(hash(device(row), get(row, CLIP)));
        while (slots[slot] != row + 1) {
            if (slots[slot] == 0) {
                throw new IllegalStateException("row " + row + " has no slot");
            }
            slot = next(slot);
        }
        return slot;
    }

    /** Empties {@code slot}, moving later rows of the probe sequence back so that each stays reachable. */
    private void vacate(int slot) {
        int hole = slot;
        int j = slot;
        while (true) {
            j = next(j);
            if (slots[j] == 0) {
                break;
            }
            int row = slots[j] - 1;
            int home = home(hash(device(row), get(row, CLIP)));
            boolean reachable = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!reachable) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = 0;
    }

    private void rehash(int capacity) {
        slots = new int[capacity];
        for (int row = 0; row < size; row++) {
            int slot = home(hash(device(row), get(row, CLIP)));
            while (slots[slot] != 0) {
                slot = next(slot);
            }
            slots[slot] = row + 1;
        }
    }

    /** Any slot count works: the hash is mapped onto it by multiplication, not by a mask. */
    private int home(int hash) {
        return (int) (((hash & 0xFFFF_FFFFL) * slots.length) >>> 32);
    }

    private int next(int slot) {
        return slot + 1 == slots.length ? 0 : slot + 1;
    }

    /** A 64-bit mix (SplitMix64's finalizer) of the clip id and device number, top 32 bits. */
    private static int hash(int device, long clipId) {
        long z = clipId * 0x9E37_79B9_7F4A_7C15L + device;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return (int) ((z ^ (z >>> 31)) >>> 32);
    }

    private int device(int row) {
        return (int) get(row, SEGMENT_AND_DEVICE);
    }

    private long firstSegment(int row) {
        return get(row, SEGMENT_AND_DEVICE) >>> 32;
    }

    private long get(int row, int column) {
        return chunks[row >>> CHUNK_BITS][(row & (CHUNK_ROWS - 1)) * STRIDE + column];
    }

    private void set(int row, int column, long value) {
        chunks[row >>> CHUNK_BITS][(row & (CHUNK_ROWS - 1)) * STRIDE + column] = value;
    }
}
