package dev.doorbell.uplink.session;

import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which error codes end the session and which a device may retry, in one place (docs/PROTOCOL.md has the same
 * table), and the one way to build an Error message.
 */
public final class ErrorCodes {
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
            ErrorCode.CERTIFICATE_REVOKED,
            ErrorCode.TOO_MANY_ERRORS,
            ErrorCode.SHUTTING_DOWN,
            ErrorCode.INTERNAL);

    // Retriable: the same request may succeed later, after a reconnect if the error was fatal. SUPERSEDED is not:
    // a newer session of the same device exists, and the two must not keep displacing each other.
    private static final Set<ErrorCode> RETRIABLE = EnumSet.of(
            ErrorCode.HANDSHAKE_TIMEOUT,
            ErrorCode.IDLE_TIMEOUT,
            ErrorCode.TOO_MANY_ERRORS,
            ErrorCode.TOO_MANY_OPEN_CLIPS,
            ErrorCode.WINDOW_EXCEEDED,
            ErrorCode.STORAGE_UNAVAILABLE,
            ErrorCode.SHUTTING_DOWN,
            ErrorCode.INTERNAL);

    private ErrorCodes() {}

    public static boolean isFatal(ErrorCode code) {
        return FATAL.contains(code);
    }

    public static boolean isRetriable(ErrorCode code) {
        return RETRIABLE.contains(code);
    }

    /**
     * Whether an error is the device's doing and counts against its error limit: every non-fatal error except
     * STORAGE_UNAVAILABLE, which is the uplink's own trouble (a full disk must not close every session).
     */
    public static boolean countsAgainstDevice(ErrorCode code) {
        return !isFatal(code) && code != ErrorCode.STORAGE_UNAVAILABLE;
    }

    /** An error that concerns the session, or a clip as a whole. */
    public static UplinkMessage error(ErrorCode code, String message, long clipId) {
        return UplinkMessage.newBuilder().setError(base(code, message, clipId)).build();
    }

    /** TOO_MANY_ERRORS for the session, with how long the device must wait before it connects again. */
    public static UplinkMessage tooManyErrors(String message, Duration retryAfter) {
        return UplinkMessage.newBuilder()
                .setError(base(ErrorCode.TOO_MANY_ERRORS, message, 0)
                        .setRetryAfterMs((int) Math.min(Integer.MAX_VALUE, Math.max(1, retryAfter.toMillis()))))
                .build();
    }

    /** An error that concerns one frame of a clip. */
    public static UplinkMessage frameError(ErrorCode code, String message, long clipId, int seq) {
        return UplinkMessage.newBuilder()
                .setError(base(code, message, clipId).setSeq(seq).setHasSeq(true))
                .build();
    }

    private static Error.Builder base(ErrorCode code, String message, long clipId) {
        return Error.newBuilder()
                .setCode(code)
                .setMessage(message)
                .setFatal(isFatal(code))
                .setRetriable(isRetriable(code))
                .setClipId(clipId);
    }
}
