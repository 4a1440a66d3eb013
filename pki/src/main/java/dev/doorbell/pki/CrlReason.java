package dev.doorbell.pki;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Why a device certificate is revoked: the RFC 5280 reason codes that apply to a doorbell. */
public enum CrlReason {
    UNSPECIFIED(0),
    /** The device was stolen or its key leaked: the usual reason. */
    KEY_COMPROMISE(1),
    AFFILIATION_CHANGED(3),
    /** A new certificate replaces this one. */
    SUPERSEDED(4),
    /** The device is retired. */
    CESSATION_OF_OPERATION(5);

    private final int code;

    CrlReason(int code) {
        this.code = code;
    }

    /** The CRLReason code of RFC 5280 §5.3.1. */
    public int code() {
        return code;
    }

    /** The option spelling: {@code key-compromise}. */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Accepts {@code key-compromise} as well as {@code KEY_COMPROMISE}; the message lists the choices. */
    public static CrlReason parse(String text) {
        for (CrlReason reason : values()) {
            if (reason.optionName().equalsIgnoreCase(text) || reason.name().equalsIgnoreCase(text)) {
                return reason;
            }
        }
        throw new IllegalArgumentException("unknown revocation reason '" + text + "'; one of " + choices());
    }

    public static String choices() {
        return Arrays.stream(values()).map(CrlReason::optionName).collect(Collectors.joining(", "));
    }
}
