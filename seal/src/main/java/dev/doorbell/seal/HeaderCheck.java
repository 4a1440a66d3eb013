package dev.doorbell.seal;

import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.seal.internal.ClipFormat;

/** The checks of a parsed header against where it was stored, before any key is derived (docs/FORMAT.md §3). */
final class HeaderCheck {
    private HeaderCheck() {}

    /** The reason the header is refused, or null if it passes. */
    static String problem(ClipHeader header, String storedDeviceId, long storedClipId, int maxEpoch) {
        String where = "stored as device " + storedDeviceId + " clip " + Long.toUnsignedString(storedClipId);
        if (header.getFormatVersion() != ClipFormat.FORMAT_VERSION) {
            return "bad header (format_version " + header.getFormatVersion() + ", expected " + ClipFormat.FORMAT_VERSION
                    + "; " + where + ")";
        }
        if (!header.getDeviceId().equals(storedDeviceId)) {
            return "header names another device ('" + printable(header.getDeviceId()) + "'; " + where + ")";
        }
        if (header.getClipId() != storedClipId) {
            return "header names another clip (" + Long.toUnsignedString(header.getClipId()) + "; " + where + ")";
        }
        String size = sizeProblem("salt", header.getSalt().size(), ClipFormat.SALT_BYTES);
        if (size == null) {
            size = sizeProblem("nonce_prefix", header.getNoncePrefix().size(), ClipFormat.NONCE_PREFIX_BYTES);
        }
        if (size == null) {
            size = sizeProblem("key_commitment", header.getKeyCommitment().size(), ClipFormat.COMMITMENT_BYTES);
        }
        if (size != null) {
            return "bad header (" + size + "; " + where + ")";
        }
        if (Integer.compareUnsigned(header.getKeyEpoch(), maxEpoch) > 0) {
            return "bad header (key_epoch " + Integer.toUnsignedString(header.getKeyEpoch()) + " above the limit "
                    + maxEpoch + "; " + where + ")";
        }
        return null;
    }

    private static String sizeProblem(String field, int actual, int expected) {
        return actual == expected ? null : field + " is " + actual + " bytes, expected " + expected;
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : "?");
        }
        return out.toString();
    }
}
