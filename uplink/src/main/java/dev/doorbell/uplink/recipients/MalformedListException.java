package dev.doorbell.uplink.recipients;

/** Bytes that are not a recipient list the uplink can file; the message names the file or device and the reason. */
public final class MalformedListException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedListException(String message) {
        super(message);
    }
}
