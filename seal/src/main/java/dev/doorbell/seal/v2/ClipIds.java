package dev.doorbell.seal.v2;

import java.security.SecureRandom;

/**
 * Clip ids of format v3 (docs/FORMAT.md §17): 63 random bits, never 0 (0 is "no predecessor" in a chain link), so
 * that a clip id says nothing about when the clip was recorded.
 */
public final class ClipIds {
    private ClipIds() {}

    /** {@code random.nextLong() & Long.MAX_VALUE}, drawn again while it is 0. */
    public static long random(SecureRandom random) {
        long id;
        do {
            id = random.nextLong() & Long.MAX_VALUE;
        } while (id == 0);
        return id;
    }
}
