package dev.doorbell.device.pairing;

import dev.doorbell.device.tls.DeviceDirectoryException;

/**
 * A device directory that lacks what pairing gives it, or whose pairing files do not hold together. The message names
 * the directory and the file, and says how to pair it: the commands that run devices print it as their one line.
 */
public final class DeviceNotPaired extends DeviceDirectoryException {
    private static final long serialVersionUID = 1L;

    public DeviceNotPaired(String message) {
        super(message);
    }

    public DeviceNotPaired(String message, Throwable cause) {
        super(message, cause);
    }
}
