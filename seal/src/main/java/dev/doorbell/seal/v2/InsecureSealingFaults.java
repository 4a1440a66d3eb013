package dev.doorbell.seal.v2;

/**
 * INSECURE: the two firmware faults that only the sealer itself can commit, for the device's fault bench
 * ({@code doorbell simulate --fault}, docs/FIRMWARE.md "Fault modes"). Everything else a faulty firmware does (a stuck
 * random source, a cut tag, a rolled-back chain state) the bench does from outside the sealer. The device calls these
 * only when a fault is named on its command line; they make clips that must not be trusted.
 */
public final class InsecureSealingFaults {
    private InsecureSealingFaults() {}

    /**
     * The clip's frame counter goes back to {@code seq}: the next frames reuse the nonces (and seqs) of earlier ones
     * under the same key.
     *
     * @throws IllegalArgumentException when {@code clip} is not one of this library's v2 or v3 sealers, or {@code seq}
     *     is negative or ahead of the counter
     */
    public static void rewindFrameCounter(ClipSealing clip, int seq) {
        sealer(clip).frames.insecureRewindTo(seq);
    }

    /** Every later frame of the clip is sealed with a wrong AAD (one bit flipped): its tag verifies for nobody. */
    public static void corruptAad(ClipSealing clip) {
        sealer(clip).frames.insecureCorruptAad();
    }

    private static SignedClipSealing sealer(ClipSealing clip) {
        if (clip instanceof SignedClipSealing signed) {
            return signed;
        }
        throw new IllegalArgumentException(
                "not a v2 or v3 sealer of this library: " + clip.getClass().getName());
    }
}
