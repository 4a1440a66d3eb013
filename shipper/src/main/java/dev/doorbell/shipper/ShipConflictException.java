package dev.doorbell.shipper;

import java.io.IOException;

/** The bucket holds another object under a key the store's segment should have: never overwritten. */
final class ShipConflictException extends IOException {
    private static final long serialVersionUID = 1L;

    ShipConflictException(String message) {
        super(message);
    }
}
