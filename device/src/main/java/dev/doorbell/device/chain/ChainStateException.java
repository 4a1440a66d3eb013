package dev.doorbell.device.chain;

import dev.doorbell.device.tls.DeviceDirectoryException;

/**
 * The device's chain state cannot be used (a {@code chain.state} that does not parse or names another device) or
 * cannot be made durable: the device starts no clip, since starting over at position 1 would fork its chain. The
 * message is one line naming the device and the file.
 */
public final class ChainStateException extends DeviceDirectoryException {
    private static final long serialVersionUID = 1L;

    public ChainStateException(String message) {
        super(message);
    }

    public ChainStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
