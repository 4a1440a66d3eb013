package dev.doorbell.uplink.metrics;

import java.util.Locale;

/**
 * What the uplink can see of a device's misuse of the format without any key (issue 13's keyless detection), as the
 * {@code reason} label of {@code doorbell_uplink_misuse_flags_total}. Every reason is exported from the start, at 0,
 * so that a dashboard and an alert can name it before it first happens. The first two are the uplink's CLIP_CONFLICT
 * and FRAME_CONFLICT refusals; salt, nonce prefix, encapsulation and chain are flagged by {@code KeylessWatch} on a new
 * clip's header; FRAMES_BACKWARDS stays 0 (frames numbered backwards with new bytes are FRAME_REWRITTEN, with the
 * same bytes a resend).
 */
public enum MisuseFlag {
    /** A clip id used again with another header (CLIP_CONFLICT). */
    CLIP_ID_REUSED,
    /** Other bytes under a stored (clip, seq): a frame sealed twice, maybe a nonce reused (FRAME_CONFLICT). */
    FRAME_REWRITTEN,
    /** A header salt seen before from the same device. */
    SALT_REUSED,
    /** A nonce prefix seen before from the same device. */
    NONCE_PREFIX_REUSED,
    /** An HPKE encapsulation seen before from the same device. */
    ENCAPSULATION_REUSED,
    /** A clip whose chain link does not follow the device's previous clip. */
    CHAIN_BROKEN,
    /** Frames numbered backwards within a clip: never counted on its own (see above), exported for dashboards. */
    FRAMES_BACKWARDS;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
