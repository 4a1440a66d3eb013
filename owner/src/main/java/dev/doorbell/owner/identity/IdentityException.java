package dev.doorbell.owner.identity;

/**
 * An owner or viewer directory that cannot be made, read or changed as asked: the message names the directory or
 * file and what is wrong with it, and never quotes a secret.
 */
public final class IdentityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IdentityException(String message) {
        super(message);
    }

    public IdentityException(String message, Throwable cause) {
        super(message, cause);
    }
}
