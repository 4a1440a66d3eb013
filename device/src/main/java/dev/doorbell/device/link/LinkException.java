package dev.doorbell.device.link;

import dev.doorbell.proto.v1.ErrorCode;

/** Why a link future failed: the uplink's error code when it gave one, else {@link ErrorCode#INTERNAL}. */
public final class LinkException extends RuntimeException {
    private final ErrorCode code;

    public LinkException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
