package dev.doorbell.uplink.store;

import java.io.IOException;

/**
 * A store holds a bad record that is not a torn tail: a bad length or CRC followed by valid records, a bad record
 * in a segment other than the newest, or a record that breaks the ordering rules. The store refuses to open and
 * never repairs: an operator decides, with the segment and offset named here.
 */
public final class StoreCorruptedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String segment;
  private final long offset;

  public StoreCorruptedException(String segment, long offset, String reason) {
    super("store corrupted in segment " + segment + " at offset " + offset + ": " + reason);
    this.segment = segment;
    this.offset = offset;
  }

  public String segment() {
    return segment;
  }

  public long offset() {
    return offset;
  }
}
