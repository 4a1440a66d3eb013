package dev.doorbell.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Every single-bit change of what the uplink stores must be refused, and refused at the right place. */
class ClipOpenerTamperTest {
    private static final long CLIP = 42;

    private final SecureRandom rnd = new InsecureDeterministicRandom("clip-opener-tamper-test");
    private final RootKey root = RootKey.generate(TestClips.DEVICE, rnd);
    private final ClipOpener opener = new ClipOpener(id -> root);
    private final TestClips.Clip clip = TestClips.seal(root.epochKey(1), CLIP, rnd, 20, 40, 12);

    @Test
    void open_everyBitOfSealedFrameFlipped_authenticationFailedAtThatFrame() {
        byte[] sealed = clip.frames().get(1).sealed();
        for (int bit = 0; bit < sealed.length * 8; bit++) {
            List<StoredFrameBytes> frames = clip.stored();
            StoredFrameBytes f = frames.get(1);
            frames.set(1, new StoredFrameBytes(f.seq(), f.last(), f.meta(), flip(sealed, bit)));
            ClipVerdict verdict = opener.open(TestClips.DEVICE, CLIP, clip.header(), frames);
            assertTampered(verdict, OptionalInt.of(1), "authentication failed", "sealed bit " + bit);
            assertEquals(1, verdict.frames().size(), "frame 0 stays verified");
        }
    }

    @Test
    void open_everyBitOfMetaFlipped_authenticationFailedAtThatFrame() {
        byte[] meta = clip.frames().get(2).meta();
        for (int bit = 0; bit < meta.length * 8; bit++) {
            List<StoredFrameBytes> frames = clip.stored();
            StoredFrameBytes f = frames.get(2);
            frames.set(2, new StoredFrameBytes(f.seq(), f.last(), flip(meta, bit), f.sealed()));
            assertTampered(
                    opener.open(TestClips.DEVICE, CLIP, clip.header(), frames),
                    OptionalInt.of(2),
                    "authentication failed",
                    "meta bit " + bit);
        }
    }

    @Test
    void open_everyBitOfHeaderFlipped_refused() {
        byte[] header = clip.header();
        int commitmentStart = indexOf(header, commitment());
        for (int bit = 0; bit < header.length * 8; bit++) {
            ClipVerdict verdict = opener.open(TestClips.DEVICE, CLIP, flip(header, bit), clip.stored());
            assertEquals(ClipVerdict.Status.TAMPERED, verdict.status(), "header bit " + bit + ": " + verdict.summary());
            assertTrue(
                    verdict.failedSeq().isEmpty() || verdict.failedSeq().getAsInt() == 0,
                    "header bit " + bit + ": " + verdict.summary());
            assertTrue(verdict.frames().isEmpty(), "header bit " + bit);
            int byteIndex = bit / 8;
            if (byteIndex >= commitmentStart && byteIndex < commitmentStart + 32) {
                assertTampered(verdict, OptionalInt.empty(), "key commitment mismatch", "commitment bit " + bit);
            }
        }
    }

    @Test
    void open_everyBitOfCommitmentFlipped_keyCommitmentMismatch() {
        byte[] header = clip.header();
        int start = indexOf(header, commitment());
        int flips = 0;
        for (int bit = start * 8; bit < (start + 32) * 8; bit++) {
            assertTampered(
                    opener.open(TestClips.DEVICE, CLIP, flip(header, bit), clip.stored()),
                    OptionalInt.empty(),
                    "key commitment mismatch",
                    "commitment bit " + bit);
            flips++;
        }
        assertEquals(256, flips);
    }

    @Test
    void open_lastFlagFlippedOnEachFrame_authenticationFailed() {
        for (int i = 0; i < 3; i++) {
            List<StoredFrameBytes> frames = clip.stored();
            StoredFrameBytes f = frames.get(i);
            frames.set(i, new StoredFrameBytes(f.seq(), !f.last(), f.meta(), f.sealed()));
            assertTampered(
                    opener.open(TestClips.DEVICE, CLIP, clip.header(), frames),
                    OptionalInt.of(i),
                    "authentication failed",
                    "last flag of frame " + i);
        }
    }

    private byte[] commitment() {
        return new ClipOpener(id -> root)
                .open(TestClips.DEVICE, CLIP, clip.header(), clip.stored())
                .header()
                .getKeyCommitment()
                .toByteArray();
    }

    private static void assertTampered(ClipVerdict verdict, OptionalInt seq, String reasonStart, String what) {
        assertEquals(ClipVerdict.Status.TAMPERED, verdict.status(), what + ": " + verdict.summary());
        assertEquals(seq, verdict.failedSeq(), what + ": " + verdict.summary());
        assertTrue(verdict.reason().startsWith(reasonStart), what + ": " + verdict.reason());
    }

    private static byte[] flip(byte[] bytes, int bit) {
        byte[] copy = bytes.clone();
        copy[bit / 8] ^= (byte) (1 << (bit % 8));
        return copy;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        List<Integer> hits = new ArrayList<>();
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                hits.add(i);
            }
        }
        assertEquals(1, hits.size(), "commitment found once in the header bytes");
        return hits.get(0);
    }
}
