package dev.doorbell.uplink.session;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.WrappedKey;

/**
 * The one look the uplink takes inside a clip's bytes: the public header must name the device of the certificate
 * and the clip id it is opened under, so that a device cannot file a clip under another device or clip. The header
 * is stored as received, never re-encoded; nothing sealed is read.
 *
 * <p>Two layouts (docs/FORMAT.md): a v1 header is a ClipHeader; a v2 or v3 header is a SignedClipHeader whose {@code
 * header} is a ClipHeader with format_version 2 or 3. Both are read with protobuf only: the uplink cannot check the
 * device's signature (it holds no verifier), which the owner's side does. It does check the sizes of the wrapped
 * keys, per kem, which need no key. Nothing else is judged here: a v3 header's chain link, sealed clip info and any
 * field this uplink does not know are the owner's to check, and a header refused here would be a clip the owner
 * never sees (a chain the owner reads as MISSING).
 */
final class ClipHeaderCheck {
    private static final int FORMAT_V2 = 2;
    private static final int FORMAT_V3 = 3;
    private static final int SIGNATURE_BYTES = 64;
    // The sizes of a wrapped key (docs/FORMAT.md §9-§10): kem 0x0020 (X25519) has a 32-byte enc, kem 0x647a (X-Wing)
    // a 1120-byte one; the ciphertext is a 32-byte clip key and its 16-byte tag either way.
    private static final int KEM_X25519 = 0x0020;
    private static final int KEM_X_WING = 0x647a;
    private static final int X25519_ENC_BYTES = 32;
    private static final int X_WING_ENC_BYTES = 1120;
    private static final int WRAPPED_CIPHERTEXT_BYTES = 48;
    private static final int WRAPPED_KEY_FIELD = 4;

    private ClipHeaderCheck() {}

    /** What is wrong with the header, or null when it names this device and clip. */
    static String problem(String deviceId, long clipId, ByteString header) {
        ClipHeader parsed = signed(header);
        if (parsed == null) {
            try {
                parsed = ClipHeader.parseFrom(header);
            } catch (InvalidProtocolBufferException e) {
                return "the " + header.size() + " header bytes are not a ClipHeader or a SignedClipHeader";
            }
            if (signedFormat(parsed.getFormatVersion())) {
                // A v2 or v3 header outside its SignedClipHeader: no owner would open it, so it is refused at the door.
                return "the header is a format " + parsed.getFormatVersion()
                        + " ClipHeader without its SignedClipHeader";
            }
        }
        if (!deviceId.equals(parsed.getDeviceId())) {
            // A hostile header may hold any text; only a valid id is safe to echo into logs and messages.
            return DeviceIds.isValid(parsed.getDeviceId())
                    ? "the header names device " + parsed.getDeviceId() + ", not " + deviceId
                    : "the header names no valid device id";
        }
        if (parsed.getClipId() != clipId) {
            return "the header names clip " + Long.toUnsignedString(parsed.getClipId()) + ", not "
                    + Long.toUnsignedString(clipId);
        }
        return wrappedKeysProblem(parsed);
    }

    /** The ClipHeader of header bytes that {@link #problem} passed (the inner one of a v2 or v3 header). */
    static ClipHeader parsed(ByteString header) {
        ClipHeader inner = signed(header);
        if (inner != null) {
            return inner;
        }
        try {
            return ClipHeader.parseFrom(header);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("a header that passed the check does not parse", e);
        }
    }

    /**
     * Sizes only: a wrapped key the owner's side would refuse as a bad header is refused here already. Nothing in it
     * is opened or checked further; the uplink holds no key and no cipher.
     */
    private static String wrappedKeysProblem(ClipHeader header) {
        for (int i = 0; i < header.getWrappedKeysCount(); i++) {
            WrappedKey w = header.getWrappedKeys(i);
            String which = "the header's wrapped key " + (i + 1);
            int enc;
            String kem;
            if (w.getKem() == KEM_X25519) {
                enc = X25519_ENC_BYTES;
                kem = "kem 0x0020 (X25519)";
            } else if (w.getKem() == KEM_X_WING) {
                enc = X_WING_ENC_BYTES;
                kem = "kem 0x647a (X-Wing)";
            } else {
                return which + " has kem " + String.format("0x%04x", w.getKem())
                        + "; a wrapped key is kem 0x0020 (X25519) or 0x647a (X-Wing)";
            }
            if (w.getEnc().size() != enc) {
                return which + " has an enc of " + w.getEnc().size() + " bytes; " + kem + " takes " + enc;
            }
            int wrapped = sealedKey(w).size();
            if (wrapped != WRAPPED_CIPHERTEXT_BYTES) {
                return which + " has a ciphertext of " + wrapped + " bytes, not " + WRAPPED_CIPHERTEXT_BYTES;
            }
        }
        return null;
    }

    private static boolean signedFormat(int formatVersion) {
        return formatVersion == FORMAT_V2 || formatVersion == FORMAT_V3;
    }

    /**
     * WrappedKey field 4, the wrapped clip key, read by its field number: the generated accessor's name holds the word
     * that UplinkArchitectureTest forbids in every uplink class (no class of the uplink may name a cipher API).
     */
    private static ByteString sealedKey(WrappedKey w) {
        return (ByteString) w.getField(WrappedKey.getDescriptor().findFieldByNumber(WRAPPED_KEY_FIELD));
    }

    /**
     * The ClipHeader inside a v2 or v3 SignedClipHeader, or null when the bytes are not one. A v1 ClipHeader read as a
     * SignedClipHeader has no {@code header} field (its field 1 is a varint), so the two cannot be confused.
     */
    private static ClipHeader signed(ByteString bytes) {
        try {
            SignedClipHeader signed = SignedClipHeader.parseFrom(bytes);
            if (signed.getHeader().isEmpty() || signed.getSignature().size() != SIGNATURE_BYTES) {
                return null;
            }
            ClipHeader inner = ClipHeader.parseFrom(signed.getHeader());
            return signedFormat(inner.getFormatVersion()) ? inner : null;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }
}
