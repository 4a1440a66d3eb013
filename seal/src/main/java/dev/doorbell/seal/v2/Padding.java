package dev.doorbell.seal.v2;

import dev.doorbell.seal.internal.FramePlaintextV3;

/**
 * Frame padding of format v3 (docs/FORMAT.md §17): with {@code pad_to = P > 0} every sealed frame is the smallest
 * multiple of P bytes that holds its FrameInfo, its image and the tag, so that the stored size says only which
 * bucket the frame fell in; with 0 there is no padding.
 */
public final class Padding {
    public static final int OFF = 0;
    public static final int MIN = 64;
    public static final int MAX = 1 << 20;
    public static final int MULTIPLE = 16;
    /** The bucket docs/FORMAT.md recommends: most porch frames fit in one to a few of them. */
    public static final int RECOMMENDED = 4096;

    private Padding() {}

    /** Whether {@code padTo} is 0 or in 64..1048576 and a multiple of 16. */
    public static boolean isValid(long padTo) {
        return padTo == OFF || (padTo >= MIN && padTo <= MAX && padTo % MULTIPLE == 0);
    }

    /**
     * Returns {@code padTo} if it is valid.
     *
     * @throws IllegalArgumentException naming the value and the rule otherwise
     */
    public static int check(int padTo) {
        if (!isValid(padTo)) {
            throw new IllegalArgumentException(ClipSealerV3.invalidPad(padTo));
        }
        return padTo;
    }

    /**
     * The sealed length of a v3 frame (plaintext and tag) whose FrameInfo is {@code infoLen} bytes and image
     * {@code imageLen} bytes: {@code 4 + infoLen + imageLen + 16} rounded up to a multiple of {@code padTo}.
     *
     * @throws IllegalArgumentException for an invalid {@code padTo}, a negative length, or a frame over 2 GiB
     */
    public static int sealedLength(int padTo, int infoLen, int imageLen) {
        check(padTo);
        if (infoLen < 0 || imageLen < 0) {
            throw new IllegalArgumentException("frame info of " + infoLen + " bytes and image of " + imageLen
                    + " bytes: lengths are not negative");
        }
        return FramePlaintextV3.sealedLength(padTo, infoLen, imageLen);
    }
}
