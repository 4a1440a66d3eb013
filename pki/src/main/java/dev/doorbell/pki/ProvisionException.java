package dev.doorbell.pki;

/** Why provisioning refused or failed, as a code a caller can act on and a message that names the path or device. */
public final class ProvisionException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Code {
        /** A bad device id, name or option: nothing was written. */
        INVALID_REQUEST,
        /** The output directory already holds files and neither --force nor --add was given: nothing was written. */
        OUTPUT_EXISTS,
        /** --add on a directory that is not a fleet made by provision: nothing was written. */
        NOT_A_FLEET,
        /** --add named a device the fleet already has: nothing was written. */
        DEVICE_EXISTS,
        /** Writing failed part way; the message names the path or device. */
        IO_FAILURE
    }

    private final Code code;

    public ProvisionException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public ProvisionException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }

    // getMessage() stays the bare message that the commands print; the code belongs only in logs and stack traces.
    @SuppressWarnings("OverrideThrowableToString")
    @Override
    public String toString() {
        return "ProvisionException{" + code + ": " + getMessage() + "}";
    }
}
