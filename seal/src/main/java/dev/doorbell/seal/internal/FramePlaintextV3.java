package dev.doorbell.seal.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.FrameInfo;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The plaintext of a v3 frame (docs/FORMAT.md §17): {@code u32be(n) ‖ FrameInfo (n bytes) ‖ image ‖ zero padding},
 * padded so that the sealed length (plaintext and tag) is the smallest multiple of {@code pad_to} that fits, or not
 * padded when {@code pad_to} is 0. The sealer builds it and the opener takes it apart, here in one place.
 */
public final class FramePlaintextV3 {
    public static final int LENGTH_PREFIX_BYTES = 4;
    public static final int MAX_MOTION_PERMILLE = 1000;

    private FramePlaintextV3() {}

    /** A frame taken apart: its facts and its image, padding stripped. */
    public record Opened(FrameInfo info, byte[] image) {}

    /** What {@link #open} found: the frame, or the keyword and details of the first problem. */
    public record Result(Opened frame, String problem) {
        static Result ok(Opened frame) {
            return new Result(frame, null);
        }

        static Result fail(String problem) {
            return new Result(null, problem);
        }
    }

    /**
     * The plaintext for {@code image} with its {@code info} (whose image_length must be the image's length), padded
     * for {@code padTo} (0, or a valid {@code Padding} value: the caller checked it).
     */
    public static byte[] build(FrameInfo info, byte[] image, int padTo) {
        if (Integer.toUnsignedLong(info.getImageLength()) != image.length) {
            throw new IllegalArgumentException("FrameInfo.image_length "
                    + Integer.toUnsignedString(info.getImageLength()) + " but the image is " + image.length + " bytes");
        }
        byte[] infoBytes = info.toByteArray();
        int sealed = sealedLength(padTo, infoBytes.length, image.length);
        // A fresh array is all zeros: the padding after the image is zero bytes by construction.
        return ByteBuffer.allocate(sealed - AesGcm.TAG_BYTES)
                .putInt(infoBytes.length)
                .put(infoBytes)
                .put(image)
                .array();
    }

    /** {@code 4 + infoLen + imageLen + 16} rounded up to a multiple of {@code padTo} (unchanged for 0). */
    public static int sealedLength(int padTo, int infoLen, int imageLen) {
        long content = (long) LENGTH_PREFIX_BYTES + infoLen + imageLen + AesGcm.TAG_BYTES;
        long sealed = padTo == 0 ? content : (content + padTo - 1) / padTo * padTo;
        if (sealed > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a sealed frame of " + sealed + " bytes is too large (image of "
                    + imageLen + " bytes, pad " + padTo + ")");
        }
        return (int) sealed;
    }

    /**
     * Takes apart the plaintext of a frame whose tag verified, for a clip whose ClipInfo says {@code padTo}: "bad frame
     * info" or "bad padding" with {@code where} (device, clip and frame) in the details, as docs/FORMAT.md §17 orders
     * them.
     */
    public static Result open(byte[] plaintext, int padTo, String where) {
        if (plaintext.length < LENGTH_PREFIX_BYTES) {
            return Result.fail("bad frame info (" + where + ": plaintext of " + plaintext.length
                    + " bytes has no room for the 4-byte FrameInfo length)");
        }
        long n = Integer.toUnsignedLong(ByteBuffer.wrap(plaintext).getInt());
        long room = plaintext.length - LENGTH_PREFIX_BYTES;
        if (n > room) {
            return Result.fail(
                    "bad frame info (" + where + ": FrameInfo length " + n + " but only " + room + " bytes follow it)");
        }
        int infoEnd = LENGTH_PREFIX_BYTES + (int) n;
        FrameInfo info;
        try {
            info = FrameInfo.parseFrom(Arrays.copyOfRange(plaintext, LENGTH_PREFIX_BYTES, infoEnd));
        } catch (InvalidProtocolBufferException e) {
            return Result.fail("bad frame info (" + where + ": the " + n + " bytes are not a parsable FrameInfo)");
        }
        long imageLength = Integer.toUnsignedLong(info.getImageLength());
        if (imageLength > plaintext.length - infoEnd) {
            return Result.fail("bad frame info (" + where + ": image_length " + imageLength + " but only "
                    + (plaintext.length - infoEnd) + " bytes follow the FrameInfo)");
        }
        if (Integer.toUnsignedLong(info.getMotionPermille()) > MAX_MOTION_PERMILLE) {
            return Result.fail("bad frame info (" + where + ": motion_permille "
                    + Integer.toUnsignedString(info.getMotionPermille()) + " is above " + MAX_MOTION_PERMILLE + ")");
        }
        int imageEnd = infoEnd + (int) imageLength;
        for (int i = imageEnd; i < plaintext.length; i++) {
            if (plaintext[i] != 0) {
                return Result.fail("bad padding (" + where + ": padding byte " + (i - imageEnd) + " of "
                        + (plaintext.length - imageEnd) + " is not zero)");
            }
        }
        int sealed = plaintext.length + AesGcm.TAG_BYTES;
        int expected = sealedLength(padTo, (int) n, (int) imageLength);
        if (sealed != expected) {
            return Result.fail("bad padding (" + where + ": sealed length " + sealed + ", expected " + expected
                    + (padTo == 0
                            ? " with padding off (pad_to 0)"
                            : ", the smallest multiple of pad_to " + padTo + " that fits")
                    + ")");
        }
        return Result.ok(new Opened(info, Arrays.copyOfRange(plaintext, infoEnd, imageEnd)));
    }
}
