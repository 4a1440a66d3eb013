package dev.doorbell.seal.keys;

/** A key file that cannot be read or written, or whose contents break docs/FORMAT.md §5; names the file. */
public final class KeyFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KeyFileException(String message) {
        super(message);
    }

    public KeyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
