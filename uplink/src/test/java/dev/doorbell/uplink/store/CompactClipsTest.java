package dev.doorbell.uplink.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The compact rows against a plain map doing the same: adds, removals that move rows and slots, growth, shrinking. */
class CompactClipsTest {
    private record Key(String device, long clip) {}

    @Test
    void randomAddsAndRemovals_everyClipFoundWithItsOwnRow_noOtherFound() {
        SplittableRandom random = new SplittableRandom(14);
        CompactClips rows = new CompactClips();
        Map<Key, CompactClips.Row> expected = new HashMap<>();
        List<Key> keys = new ArrayList<>();
        for (int step = 0; step < 60_000; step++) {
            // Grows to a few thousand rows, then mostly removes, so that the table shrinks again.
            boolean add = keys.isEmpty() || random.nextInt(100) < (step < 40_000 ? 60 : 25);
            if (add) {
                String device = "device-" + random.nextInt(40);
                // Clip ids close together and far apart, as counters and random ids give them.
                long clip = random.nextBoolean() ? random.nextInt(5_000) : random.nextLong();
                Key key = new Key(device, clip);
                if (expected.containsKey(key)) {
                    continue;
                }
                long first = random.nextLong(1L << 32);
                CompactClips.Row row = new CompactClips.Row(
                        device,
                        clip,
                        1 + random.nextInt(Integer.MAX_VALUE),
                        random.nextLong(),
                        random.nextLong(),
                        first,
                        first + random.nextInt(Integer.MAX_VALUE),
                        random.nextLong(1L << 32),
                        random.nextInt(Integer.MAX_VALUE));
                rows.add(row);
                expected.put(key, row);
                keys.add(key);
            } else {
                Key key = keys.remove(random.nextInt(keys.size()));
                int at = rows.find(key.device(), key.clip());
                assertTrue(at >= 0, key.toString());
                rows.remove(at);
                expected.remove(key);
                assertEquals(-1, rows.find(key.device(), key.clip()), key + " removed");
            }
            if (step % 5_000 == 0) {
                everyRowFound(rows, expected);
            }
        }
        everyRowFound(rows, expected);
        assertEquals(new HashSet<>(expected.values()), new HashSet<>(rows.rows()));
        for (Key key : new ArrayList<>(expected.keySet())) {
            rows.remove(rows.find(key.device(), key.clip()));
        }
        assertEquals(0, rows.size());
        assertEquals(-1, rows.find("device-1", 1));
    }

    @Test
    void moved_headerOffsetsOfTheCompactedSegmentFollow_othersStay() {
        CompactClips rows = new CompactClips();
        rows.add(new CompactClips.Row("porch", 1, 3, 10, 0, 5, 6, 4096, 300));
        rows.add(new CompactClips.Row("porch", 2, 3, 10, 0, 5, 5, 9000, 300));
        rows.add(new CompactClips.Row("porch", 3, 3, 10, 0, 6, 7, 4096, 300));
        rows.moved(5, new long[] {4096, 9000}, new long[] {64, 400});
        assertEquals(64, rows.row(rows.find("porch", 1)).headerOffset());
        assertEquals(400, rows.row(rows.find("porch", 2)).headerOffset());
        assertEquals(4096, rows.row(rows.find("porch", 3)).headerOffset());
        assertEquals(6, rows.row(rows.find("porch", 1)).lastSegment());
    }

    @Test
    void fits_segmentsAndOffsetsBelowTwoToTheThirtyTwo() {
        assertTrue(CompactClips.fits(0, Integer.MAX_VALUE, (1L << 32) - 1));
        assertFalse(CompactClips.fits(1L << 32, 1L << 32, 0));
        assertFalse(CompactClips.fits(0, 0, 1L << 32));
        assertFalse(CompactClips.fits(5, 4, 0));
    }

    private static void everyRowFound(CompactClips rows, Map<Key, CompactClips.Row> expected) {
        assertEquals(expected.size(), rows.size());
        for (Map.Entry<Key, CompactClips.Row> e : expected.entrySet()) {
            int at = rows.find(e.getKey().device(), e.getKey().clip());
            assertTrue(at >= 0, e.getKey().toString());
            assertEquals(e.getValue(), rows.row(at));
        }
        assertEquals(-1, rows.find("nobody", 1));
    }
}
