package dev.doorbell.uplink.codec;

import io.netty.handler.codec.DecoderException;

/** A length-delimited message whose body is not a parsable {@code DeviceMessage}. */
public final class MalformedMessageException extends DecoderException {
    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
