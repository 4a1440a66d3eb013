package dev.doorbell.seal;

/**
 * A stretch of a store that its reader could not read (a damaged range, a missing or shortened segment) lying
 * between two stored records of one clip: the frames with a seq strictly between {@code afterSeq} and
 * {@code beforeSeq} may have been there (docs/FORMAT.md §6, reader rules). {@code afterSeq} is -1 when the hole
 * follows the clip's header; {@code beforeSeq} is {@link #NO_LATER_FRAME} when no frame of the clip is stored after
 * it. {@code where} names the hole for people, e.g. "damaged range segment 0000000001 offsets 120..388".
 */
public record FrameHole(long afterSeq, long beforeSeq, String where) {
    public static final long NO_LATER_FRAME = Long.MAX_VALUE;

    /** Whether every frame from {@code fromSeq} up to, not including, {@code toSeq} may lie in this hole. */
    public boolean covers(long fromSeq, long toSeq) {
        return afterSeq < fromSeq && toSeq <= beforeSeq;
    }
}
