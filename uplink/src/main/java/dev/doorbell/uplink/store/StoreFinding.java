package dev.doorbell.uplink.store;

import java.util.Objects;

/**
 * One thing found when a store is opened or checked (docs/FORMAT.md §6), with a message that names the segment,
 * offsets, byte and record counts, or clip. Damage, missing or shortened data and damaged clips are errors: the
 * store is not what was acknowledged. The rest are warnings and notes.
 */
public record StoreFinding(Kind kind, String message) {
    /** What was found; {@link #damage()} says whether it means acknowledged data is lost or unreadable. */
    public enum Kind {
        /** A range of a segment with no valid record: below the committed length, acknowledged data. */
        DAMAGED("damaged range", true),
        /** A segment whose file is shorter than its committed length. */
        SHORTENED("shorter than committed", true),
        /** A segment absent from the numbers, the chain of start records or the checkpoint. */
        MISSING("missing segment", true),
        /** The checkpoint is missing or damaged, or disagrees with the segments. */
        CHECKPOINT("damaged checkpoint", true),
        /** A start record that is absent, names the wrong segment before it, or disagrees with its segment's records. */
        CHAIN("bad start record", true),
        /** A clip that lost records, or whose records break the store's rules: the uplink takes nothing more for it. */
        CLIP("damaged clip", true),
        /** Valid records past a segment's committed length: never acknowledged, read and kept. */
        UNACKNOWLEDGED("unacknowledged", false),
        /** Bytes past the newest segment's last valid record that are not records: a write never acknowledged. */
        TORN_TAIL("torn tail", false),
        /** The zero padding of direct writes at the end of the newest segment. */
        PADDING("padding", false),
        /** Something the checks cannot cover: a v1 store or v1 segments, a damaged start record, a live store's tail. */
        UNCHECKED("unchecked", false),
        /** Informative: a live store was read up to its checkpoint. */
        NOTE("note", false);

        private final String label;
        private final boolean damage;

        Kind(String label, boolean damage) {
            this.label = label;
            this.damage = damage;
        }

        public String label() {
            return label;
        }

        public boolean damage() {
            return damage;
        }
    }

    public StoreFinding {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    public boolean damage() {
        return kind.damage();
    }

    @Override
    public String toString() {
        return kind.label() + ": " + message;
    }
}
