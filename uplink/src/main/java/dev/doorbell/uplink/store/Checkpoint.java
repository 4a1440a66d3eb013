package dev.doorbell.uplink.store;

/**
 * What the store has acknowledged (docs/FORMAT.md §6, "The checkpoint"): the newest segment's number, its committed
 * length (just past its last committed record) and the records up to there, start record included.
 */
public record Checkpoint(long sequence, long segment, long length, long records) {
    @Override
    public String toString() {
        return "sequence " + sequence + ", segment " + SegmentFormat.segmentName(segment) + ", length " + length
                + ", records " + records;
    }
}
