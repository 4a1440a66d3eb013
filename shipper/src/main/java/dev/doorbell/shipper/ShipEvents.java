package dev.doorbell.shipper;

/**
 * What a {@link Shipper} tells as it goes, object by object, so that a pass cut short by a failure still counts what
 * it did before ({@link ShipperMetrics}). Called on the shipping thread; each method must return at once.
 */
interface ShipEvents {
    ShipEvents NONE = new ShipEvents() {};

    /** An object was put: a segment (new or replaced compacted), a checkpoint, the marker, the ledger, a request. */
    default void put(String key, long bytes) {}

    /** A put of this object failed (the exception follows to the pass). */
    default void putFailed(String key) {}

    /** A closed segment was found in the bucket already, with the same size and CRC32C, and not put again. */
    default void alreadyThere() {}
}
