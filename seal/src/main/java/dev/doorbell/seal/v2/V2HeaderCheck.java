package dev.doorbell.seal.v2;

import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.seal.internal.ClipFormat;

/**
 * Steps 1 and 2 of docs/FORMAT.md §15 (and §17 for v3): the checks of a parsed v2 or v3 header before any key is
 * used.
 */
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
        int version = header.getFormatVersion();
        if (version != ClipSealerV2.FORMAT_VERSION && version != ClipSealerV3.FORMAT_VERSION) {
            return "format_version " + Integer.toUnsignedString(version) + ", expected " + ClipSealerV2.FORMAT_VERSION
                    + " or " + ClipSealerV3.FORMAT_VERSION;
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
        if (version == ClipSealerV3.FORMAT_VERSION) {
            String event = publicEventField(header);
            if (event != null) {
                return "public event field " + event;
            }
        } else if (!header.getSalt().isEmpty() || header.getKeyEpoch() != 0) {
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
        return version == ClipSealerV3.FORMAT_VERSION ? v3Problem(header) : null;
    }

    /** The v3 fields: a clip id that is not 0, a valid chain link and a sealed info. */
    private static String v3Problem(ClipHeader header) {
        if (header.getClipId() == 0) {
            return "clip_id 0; v3 clip ids are never 0";
        }
        if (!header.hasChain()) {
            return "no chain link; required in v3";
        }
        String chain = chainProblem(header.getChain(), header.getClipId());
        if (chain != null) {
            return chain;
        }
        if (header.getSealedInfo().isEmpty()) {
            return "no sealed_info; required in v3";
        }
        return null;
    }

    /**
     * What is wrong with a chain link (docs/FORMAT.md §17), or null: positions count from 1; the first clip names no
     * predecessor, every later one names it by a clip id other than 0 and its own, and a 32-byte header hash; final
     * acknowledged implies at least one acknowledged frame.
     */
    static String chainProblem(ChainLink chain, long clipId) {
        if (chain == null) {
            return "no chain link; required in v3";
        }
        long position = chain.getPosition();
        String at = "chain position " + Long.toUnsignedString(position);
        if (position == 0) {
            return at + "; positions count from 1";
        }
        if (position == 1) {
            if (chain.getPrevClipId() != 0
                    || !chain.getPrevHeaderSha256().isEmpty()
                    || chain.getPrevAcknowledgedFrames() != 0
                    || chain.getPrevFinalAcknowledged()) {
                return at + " names a predecessor; the first clip has none (prev fields 0 and empty)";
            }
            return null;
        }
        if (chain.getPrevClipId() == 0 || chain.getPrevClipId() == clipId) {
            return at + " names predecessor clip " + Long.toUnsignedString(chain.getPrevClipId())
                    + "; a later clip names another clip, not 0 and not itself";
        }
        if (chain.getPrevHeaderSha256().size() != 32) {
            return at + ": prev_header_sha256 is " + chain.getPrevHeaderSha256().size() + " bytes, expected 32";
        }
        if (chain.getPrevFinalAcknowledged() && chain.getPrevAcknowledgedFrames() == 0) {
            return at + ": prev_final_acknowledged with 0 acknowledged frames";
        }
        return null;
    }

    /** The first of fields 4, 5, 7-12 and 14 set in a v3 header, as "N present in a v3 header (name)", or null. */
    private static String publicEventField(ClipHeader h) {
        int number;
        if (h.getKeyEpoch() != 0) {
            number = ClipHeader.KEY_EPOCH_FIELD_NUMBER;
        } else if (!h.getSalt().isEmpty()) {
            number = ClipHeader.SALT_FIELD_NUMBER;
        } else if (h.getTriggerValue() != 0) {
            number = ClipHeader.TRIGGER_FIELD_NUMBER;
        } else if (h.getCodecValue() != 0) {
            number = ClipHeader.CODEC_FIELD_NUMBER;
        } else if (h.getWidth() != 0) {
            number = ClipHeader.WIDTH_FIELD_NUMBER;
        } else if (h.getHeight() != 0) {
            number = ClipHeader.HEIGHT_FIELD_NUMBER;
        } else if (h.getFps() != 0) {
            number = ClipHeader.FPS_FIELD_NUMBER;
        } else if (h.getStartTimeUnixMs() != 0) {
            number = ClipHeader.START_TIME_UNIX_MS_FIELD_NUMBER;
        } else if (h.getPreRollMs() != 0) {
            number = ClipHeader.PRE_ROLL_MS_FIELD_NUMBER;
        } else {
            return null;
        }
        return number + " present in a v3 header: "
                + ClipHeader.getDescriptor().findFieldByNumber(number).getName();
    }
}
