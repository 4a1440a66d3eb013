package dev.doorbell.seal;

/**
 * The opener has no key that can open a clip: no root key for its device, or (for a device's own epoch key) a clip
 * of an earlier epoch, which an epoch key cannot derive. Not a verdict on the clip, which may be fine.
 */
public final class KeyUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KeyUnavailableException(String message) {
        super(message);
    }

    public KeyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
