package dev.doorbell.device.tls;

/** A device directory that cannot be used, with a message that names the directory and the file at fault. */
public class DeviceDirectoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeviceDirectoryException(String message) {
        super(message);
    }

    public DeviceDirectoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
