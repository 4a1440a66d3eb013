package dev.doorbell.owner;

/**
 * Something wrong with a store as a whole (docs/FORMAT.md §6, reader rules): a damaged range, missing segments, a
 * segment shorter than committed, a damaged checkpoint or a bad start record. Any finding makes {@code open} exit 1.
 * {@code segment}, {@code start} and {@code end} locate it (for missing segments: the first and last missing
 * number; for a shortened segment: its length and its committed length; zero where they do not apply).
 */
public record StoreFinding(Kind kind, long segment, long start, long end, String message) {
    public enum Kind {
        DAMAGED_RANGE("damaged range"),
        MISSING_SEGMENTS("missing segment"),
        SHORTER_THAN_COMMITTED("shorter than committed"),
        DAMAGED_CHECKPOINT("damaged checkpoint"),
        BAD_START_RECORD("bad start record");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The line {@code open} prints, e.g. "damaged range: segment 0000000001 offsets 120..388, 268 bytes skipped". */
    public String line() {
        return kind.label + ": " + message;
    }

    static String segmentName(long number) {
        return String.format("%010d", number);
    }
}
