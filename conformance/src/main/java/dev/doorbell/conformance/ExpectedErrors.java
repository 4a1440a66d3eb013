package dev.doorbell.conformance;

import dev.doorbell.proto.v1.ErrorCode;
import java.util.EnumSet;
import java.util.Set;

/**
 * The fatal and retriable columns of the error-code table in docs/PROTOCOL.md, written out again here on purpose:
 * the suite checks an uplink against the document, not against the uplink's own table.
 */
final class ExpectedErrors {
    private static final Set<ErrorCode> FATAL = EnumSet.of(
            ErrorCode.UNSUPPORTED_VERSION,
            ErrorCode.IDENTITY_MISMATCH,
            ErrorCode.NO_IDENTITY,
            ErrorCode.HELLO_REQUIRED,
            ErrorCode.DUPLICATE_HELLO,
            ErrorCode.MALFORMED_MESSAGE,
            ErrorCode.MESSAGE_TOO_LARGE,
            ErrorCode.HANDSHAKE_TIMEOUT,
            ErrorCode.IDLE_TIMEOUT,
            ErrorCode.SUPERSEDED,
            ErrorCode.TOO_MANY_ERRORS,
            ErrorCode.SHUTTING_DOWN,
            ErrorCode.INTERNAL);
    private static final Set<ErrorCode> RETRIABLE = EnumSet.of(
            ErrorCode.HANDSHAKE_TIMEOUT,
            ErrorCode.IDLE_TIMEOUT,
            ErrorCode.TOO_MANY_ERRORS,
            ErrorCode.TOO_MANY_OPEN_CLIPS,
            ErrorCode.WINDOW_EXCEEDED,
            ErrorCode.STORAGE_UNAVAILABLE,
            ErrorCode.SHUTTING_DOWN,
            ErrorCode.INTERNAL);

    private ExpectedErrors() {}

    static boolean fatal(ErrorCode code) {
        return FATAL.contains(code);
    }

    static boolean retriable(ErrorCode code) {
        return RETRIABLE.contains(code);
    }

    /** "fatal, not retriable" and so on, for the expected column of the table. */
    static String describe(ErrorCode code) {
        return code + " (" + (fatal(code) ? "fatal" : "not fatal") + ", "
                + (retriable(code) ? "retriable" : "not retriable") + ")";
    }
}
