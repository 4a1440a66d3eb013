package dev.doorbell.seal.v2;

import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.seal.internal.ClipFormat;

/** Steps 1 and 2 of docs/FORMAT.md §15: the checks of a parsed v2 header before any key is used. */
final class V2HeaderCheck {
    private V2HeaderCheck() {}

    /** The reason the header is refused ("bad header", "header names another device/clip"), or null. */
    static String problem(SignedClipHeader signed, ClipHeader header, String storedDeviceId, long storedClipId) {
        String where = "stored as device " + storedDeviceId + " clip " + Long.toUnsignedString(storedClipId);
        String size = sizeProblem(signed, header);
        if (size != null) {
            return "bad header (" + size + "; " + where + ")";
        }
        if (!header.getDeviceId().equals(storedDeviceId)) {
            return "header names another device ('" + RecipientLists.printable(header.getDeviceId()) + "'; " + where
                    + ")";
        }
        if (header.getClipId() != storedClipId) {
            return "header names another clip (" + Long.toUnsignedString(header.getClipId()) + "; " + where + ")";
        }
        return null;
    }

    private static String sizeProblem(SignedClipHeader signed, ClipHeader header) {
        if (header.getFormatVersion() != ClipSealerV2.FORMAT_VERSION) {
            return "format_version " + header.getFormatVersion() + ", expected " + ClipSealerV2.FORMAT_VERSION;
        }
        if (signed.getSignature().size() != VerifyingKey.SIGNATURE_BYTES) {
            return "signature is " + signed.getSignature().size() + " bytes, expected " + VerifyingKey.SIGNATURE_BYTES;
        }
        if (header.getNoncePrefix().size() != ClipFormat.NONCE_PREFIX_BYTES) {
            return "nonce_prefix is " + header.getNoncePrefix().size() + " bytes, expected "
                    + ClipFormat.NONCE_PREFIX_BYTES;
        }
        if (header.getKeyCommitment().size() != ClipFormat.COMMITMENT_BYTES) {
            return "key_commitment is " + header.getKeyCommitment().size() + " bytes, expected "
                    + ClipFormat.COMMITMENT_BYTES;
        }
        if (!header.getSalt().isEmpty() || header.getKeyEpoch() != 0) {
            return "salt (" + header.getSalt().size() + " bytes) and key_epoch (" + header.getKeyEpoch()
                    + ") are v1 fields, empty and 0 in v2";
        }
        if (header.getDeviceKeyCertificate().isEmpty()) {
            return "no device_key_certificate";
        }
        if (header.getRecipientListVersion() == 0) {
            return "recipient_list_version 0; lists count from 1";
        }
        int count = header.getWrappedKeysCount();
        if (count < 1 || count > RecipientLists.MAX_RECIPIENTS) {
            return count + " wrapped keys; a header has 1 to " + RecipientLists.MAX_RECIPIENTS;
        }
        for (int i = 0; i < count; i++) {
            String problem = ClipOpenerV2.wrappedKeyProblem(header.getWrappedKeys(i));
            if (problem != null) {
                return "wrapped key " + (i + 1) + " " + problem;
            }
        }
        return null;
    }
}
