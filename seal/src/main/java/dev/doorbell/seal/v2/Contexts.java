package dev.doorbell.seal.v2;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The context strings of format v2 (docs/FORMAT.md §9): each signature is over {@code ASCII(context) ‖ 0x00 ‖
 * message}, so that bytes signed for one purpose (a recipient list) can never pass as another (a clip header); and
 * the labels of the clip key derivation and of the HPKE wrapping.
 */
public final class Contexts {
    /** The owner certifies a device's signing key at pairing. */
    public static final String DEVICE_KEY = "doorbell/v2/device-key";
    /** The owner signs a device's recipient list. */
    public static final String RECIPIENT_LIST = "doorbell/v2/recipient-list";
    /** The device signs each clip header. */
    public static final String CLIP_HEADER = "doorbell/v2/clip-header";
    /** The owner signs a share of one clip. */
    public static final String SHARE = "doorbell/v2/share";
    /** HKDF info label of the clip's AES key and key commitment. */
    public static final String CLIP_KEY = "doorbell/v2/clip-key";
    /** HPKE info label of a wrapped clip key. */
    public static final String WRAP = "doorbell/v2/wrap";
    /** HKDF info label of a v3 clip's AES key, key commitment and info key (docs/FORMAT.md §17). */
    public static final String CLIP_KEY_V3 = "doorbell/v3/clip-key";
    /** AAD label of a v3 clip's sealed ClipInfo. */
    public static final String CLIP_INFO = "doorbell/v3/clip-info";

    private Contexts() {}

    /** {@code ASCII(context) ‖ 0x00 ‖ message}: what an Ed25519 signature of format v2 signs. */
    static byte[] signedBytes(String context, byte[] message) {
        byte[] label = ascii(context);
        return ByteBuffer.allocate(label.length + 1 + message.length)
                .put(label)
                .put((byte) 0)
                .put(message)
                .array();
    }

    /** {@code ASCII(label) ‖ 0x00 ‖ ASCII(device_id) ‖ 0x00 ‖ u64be(clip_id)}: the clip key's HKDF info. */
    public static byte[] clipKeyInfo(String deviceId, long clipId) {
        return perClip(CLIP_KEY, deviceId, clipId);
    }

    /** {@code ASCII("doorbell/v3/clip-key") ‖ 0x00 ‖ ASCII(device_id) ‖ 0x00 ‖ u64be(clip_id)}: the v3 OKM's info. */
    public static byte[] clipKeyInfoV3(String deviceId, long clipId) {
        return perClip(CLIP_KEY_V3, deviceId, clipId);
    }

    /** {@code ASCII("doorbell/v3/clip-info") ‖ 0x00 ‖ ASCII(device_id) ‖ 0x00 ‖ u64be(clip_id)}: the info's AAD. */
    public static byte[] clipInfoAad(String deviceId, long clipId) {
        return perClip(CLIP_INFO, deviceId, clipId);
    }

    /** {@code ASCII("doorbell/v2/wrap") ‖ 0x00 ‖ ASCII(device_id) ‖ 0x00 ‖ u64be(clip_id)}: the HPKE info. */
    public static byte[] wrapInfo(String deviceId, long clipId) {
        return perClip(WRAP, deviceId, clipId);
    }

    private static byte[] perClip(String label, String deviceId, long clipId) {
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.writeBytes(ascii(label));
        info.write(0);
        info.writeBytes(ascii(deviceId));
        info.write(0);
        info.writeBytes(ByteBuffer.allocate(8).putLong(clipId).array());
        return info.toByteArray();
    }

    /** A context or device id is printable ASCII without 0x00 (the separator), or the bytes would be ambiguous. */
    private static byte[] ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("'" + s + "' has a character that is not printable ASCII at " + i);
            }
        }
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
