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
    /** A range of a segment with no valid record, before the committed length. */
    DAMAGED("damaged", true),
    /** A segment whose valid records end before its committed length. */
    SHORTENED("shortened", true),
    /** A segment the chain of start records or the checkpoint names is absent. */
    MISSING("missing", true),
    /** The checkpoint is missing, damaged, or disagrees with the segments. */
    CHECKPOINT("checkpoint", true),
    /** A start record that is absent, names another segment, or names a segment before it that does not precede it. */
    CHAIN("chain", true),
    /** A clip that lost records or whose records break the store's rules. */
    CLIP("clip", true),
    /** Valid records past a segment's committed length: never acknowledged, kept. */
    UNACKNOWLEDGED("unacknowledged", false),
    /** Bytes past a segment's committed length that are not records: a write that was never acknowledged. */
    TORN_TAIL("torn tail", false),
    /** The zero padding of direct writes at the end of the newest segment. */
    PADDING("padding", false),
    /** Something the checks could not cover (segments of a v1 uplink, a live store's newest records). */
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
