package dev.doorbell.seal.v2;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.GcmProvider;
import dev.doorbell.seal.internal.AesGcm;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/**
 * A v3 clip's sealed ClipInfo (docs/FORMAT.md §17): {@code u32be(n) ‖ ClipInfo ‖ zero bytes} to a multiple of 64,
 * sealed with AES-256-GCM under the info key (OKM bytes 64..96), which seals nothing else, so its nonce is 12 zero
 * bytes; the AAD names the device and clip.
 */
final class SealedClipInfo {
    static final int BLOCK = 64;
    private static final int LENGTH_PREFIX_BYTES = 4;

    private SealedClipInfo() {}

    /** The opened ClipInfo, or the reason ("bad clip info (...)") it is refused. */
    record Result(ClipInfo info, String problem) {}

    /** Seals {@code info}; takes ownership of {@code infoKey} and zeroes it. */
    static byte[] seal(byte[] infoKey, String deviceId, long clipId, ClipInfo info, GcmProvider provider) {
        AesGcm gcm = AesGcm.create(provider, infoKey);
        try {
            byte[] bytes = info.toByteArray();
            int total = plaintextLength(bytes.length);
            byte[] plaintext =
                    ByteBuffer.allocate(total).putInt(bytes.length).put(bytes).array();
            return gcm.seal(new byte[AesGcm.NONCE_BYTES], Contexts.clipInfoAad(deviceId, clipId), plaintext);
        } finally {
            gcm.destroy();
        }
    }

    /** The smallest multiple of 64 that holds the length prefix and {@code infoLength} bytes. */
    static int plaintextLength(int infoLength) {
        return (LENGTH_PREFIX_BYTES + infoLength + BLOCK - 1) / BLOCK * BLOCK;
    }

    /** Opens and checks the sealed info (opener step 7b); takes ownership of {@code infoKey} and zeroes it. */
    static Result open(
            byte[] infoKey, String deviceId, long clipId, byte[] sealed, GcmProvider provider, String where) {
        AesGcm gcm = AesGcm.create(provider, infoKey);
        byte[] plaintext;
        try {
            plaintext = gcm.open(new byte[AesGcm.NONCE_BYTES], Contexts.clipInfoAad(deviceId, clipId), sealed);
        } catch (AEADBadTagException e) {
            return fail(
                    "the tag of the " + sealed.length + " sealed bytes does not verify under the clip's info key",
                    where);
        } finally {
            gcm.destroy();
        }
        if (plaintext.length < LENGTH_PREFIX_BYTES) {
            return fail("opened " + plaintext.length + " bytes, no room for the 4-byte length", where);
        }
        long n = Integer.toUnsignedLong(ByteBuffer.wrap(plaintext).getInt());
        if (n > plaintext.length - LENGTH_PREFIX_BYTES) {
            return fail(
                    "ClipInfo length " + n + " but only " + (plaintext.length - LENGTH_PREFIX_BYTES)
                            + " bytes follow it",
                    where);
        }
        int end = LENGTH_PREFIX_BYTES + (int) n;
        ClipInfo info;
        try {
            info = ClipInfo.parseFrom(Arrays.copyOfRange(plaintext, LENGTH_PREFIX_BYTES, end));
        } catch (InvalidProtocolBufferException e) {
            return fail("the " + n + " bytes are not a parsable ClipInfo", where);
        }
        for (int i = end; i < plaintext.length; i++) {
            if (plaintext[i] != 0) {
                return fail("padding byte " + (i - end) + " is not zero", where);
            }
        }
        if (plaintext.length % BLOCK != 0) {
            return fail("opened " + plaintext.length + " bytes, not a multiple of " + BLOCK, where);
        }
        String problem = problem(info);
        return problem == null ? new Result(info, null) : fail(problem, where);
    }

    /** What is wrong with the values of a ClipInfo, or null: the sealer refuses what the opener would. */
    static String problem(ClipInfo info) {
        if (info.getTrigger() == Trigger.TRIGGER_UNSPECIFIED || info.getTrigger() == Trigger.UNRECOGNIZED) {
            return "trigger " + info.getTriggerValue() + " is unspecified or unknown";
        }
        if (info.getCodec() == Codec.CODEC_UNSPECIFIED || info.getCodec() == Codec.UNRECOGNIZED) {
            return "codec " + info.getCodecValue() + " is unspecified or unknown";
        }
        if (info.getWidth() == 0 || info.getHeight() == 0 || info.getFps() == 0) {
            return "width " + Integer.toUnsignedString(info.getWidth()) + ", height "
                    + Integer.toUnsignedString(info.getHeight()) + " and fps " + Integer.toUnsignedString(info.getFps())
                    + " must not be 0";
        }
        if (!Padding.isValid(Integer.toUnsignedLong(info.getPadTo()))) {
            return "pad_to " + Integer.toUnsignedString(info.getPadTo()) + " is neither 0 nor in " + Padding.MIN + ".."
                    + Padding.MAX + " and a multiple of " + Padding.MULTIPLE;
        }
        return null;
    }

    private static Result fail(String details, String where) {
        return new Result(null, "bad clip info (" + details + "; " + where + ")");
    }
}
