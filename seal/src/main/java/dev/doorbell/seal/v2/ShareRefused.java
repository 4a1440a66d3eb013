package dev.doorbell.seal.v2;

/** A share file that cannot open anything: not parsable, or not signed by the key it names (docs/FORMAT.md §14). */
public final class ShareRefused extends Exception {
    private static final long serialVersionUID = 1L;

    ShareRefused(String message) {
        super(message);
    }
}
