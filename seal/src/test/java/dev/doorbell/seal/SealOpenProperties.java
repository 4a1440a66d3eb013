package dev.doorbell.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * jqwik properties of seal and open over generated clips: any frame sizes, counts, metadata and clip ids round-trip;
 * any single changed byte of header, sealed frame or frame metadata is refused; a dropped, swapped or repeated frame
 * is reported with the verdict and frame that docs/FORMAT.md §4 names. Everything random comes from the tried seed.
 */
class SealOpenProperties {
    private static final String DEVICE = "porch-7";

    /** A sealed clip and what went into it. */
    private record Sealed(ClipParams params, TestClips.Clip clip, ClipOpener opener, long[] pts) {}

    @Property(tries = 150)
    void open_anyClip_roundTripsEveryFrame(@ForAll("clips") Sealed s) {
        ClipVerdict verdict = open(s, s.clip().stored());
        assertTrue(verdict.isOk(), verdict.summary());
        assertEquals(s.clip().frames().size(), verdict.frames().size());
        for (int i = 0; i < verdict.frames().size(); i++) {
            OpenedFrame frame = verdict.frames().get(i);
            assertEquals(i, frame.seq());
            assertEquals(s.pts()[i], frame.ptsMicros());
            assertArrayEquals(s.clip().plaintexts().get(i), frame.plaintext(), "frame " + i);
        }
        assertEquals(s.params().width(), verdict.header().getWidth());
        assertEquals(s.params().trigger(), verdict.header().getTrigger());
    }

    @Property(tries = 300)
    void open_oneByteOfFrameChanged_authenticationFailedAtThatFrame(
            @ForAll("clips") Sealed s,
            @ForAll @IntRange(min = 0, max = 1 << 20) int where,
            @ForAll boolean inMeta,
            @ForAll @IntRange(min = 1, max = 255) int delta) {
        List<StoredFrameBytes> frames = s.clip().stored();
        int seq = where % frames.size();
        StoredFrameBytes f = frames.get(seq);
        byte[] target = inMeta ? f.meta() : f.sealed();
        // Metadata of an empty frame at time 0 is all defaults, which protobuf writes as no bytes at all.
        Assume.that(target.length > 0);
        byte[] changed = change(target, where / frames.size(), delta);
        frames.set(
                seq,
                inMeta
                        ? new StoredFrameBytes(seq, f.last(), changed, f.sealed())
                        : new StoredFrameBytes(seq, f.last(), f.meta(), changed));
        ClipVerdict verdict = open(s, frames);
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.of(seq), "authentication failed");
        assertEquals(seq, verdict.frames().size(), "the frames before stay verified");
    }

    @Property(tries = 300)
    void open_oneByteOfHeaderChanged_tamperedNothingOpened(
            @ForAll("clips") Sealed s,
            @ForAll @IntRange(min = 0, max = 1 << 20) int where,
            @ForAll @IntRange(min = 1, max = 255) int delta) {
        byte[] header = change(s.clip().header(), where, delta);
        ClipVerdict verdict =
                s.opener().open(DEVICE, s.params().clipId(), header, s.clip().stored());
        assertEquals(ClipVerdict.Status.TAMPERED, verdict.status(), verdict.summary());
        assertTrue(verdict.frames().isEmpty(), verdict.summary());
    }

    @Property(tries = 200)
    void open_oneFrameDropped_gapOrTruncated(@ForAll("clips") Sealed s, @ForAll @IntRange(min = 0) int which) {
        List<StoredFrameBytes> frames = s.clip().stored();
        int seq = which % frames.size();
        frames.remove(seq);
        ClipVerdict verdict = open(s, frames);
        if (seq == s.clip().frames().size() - 1) {
            assertVerdict(verdict, ClipVerdict.Status.TRUNCATED, OptionalInt.empty(), "no final frame");
            assertEquals(seq, verdict.frames().size());
        } else {
            assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.of(seq), "frame missing");
        }
    }

    @Property(tries = 200)
    void open_twoNeighboursSwapped_outOfOrderAtTheFirst(
            @ForAll("clips") Sealed s, @ForAll @IntRange(min = 0) int which) {
        List<StoredFrameBytes> frames = s.clip().stored();
        Assume.that(frames.size() >= 2);
        int seq = which % (frames.size() - 1);
        frames.add(seq, frames.remove(seq + 1));
        assertVerdict(open(s, frames), ClipVerdict.Status.TAMPERED, OptionalInt.of(seq), "frames out of order");
    }

    @Property(tries = 200)
    void open_oneFrameRepeated_duplicateOrAfterFinal(@ForAll("clips") Sealed s, @ForAll @IntRange(min = 0) int which) {
        List<StoredFrameBytes> frames = s.clip().stored();
        int seq = which % frames.size();
        frames.add(seq + 1, frames.get(seq));
        boolean finalFrame = seq == frames.size() - 2;
        assertVerdict(
                open(s, frames),
                ClipVerdict.Status.TAMPERED,
                OptionalInt.of(seq),
                finalFrame ? "frames after the final frame" : "duplicate frame");
    }

    @Provide
    Arbitrary<Sealed> clips() {
        Arbitrary<List<Integer>> sizes =
                Arbitraries.integers().between(0, 9_000).list().ofMinSize(1).ofMaxSize(8);
        Arbitrary<ClipParams> params = Combinators.combine(
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.of(Trigger.TRIGGER_MOTION, Trigger.TRIGGER_RING, Trigger.TRIGGER_MANUAL),
                        Arbitraries.integers().between(1, 7680),
                        Arbitraries.integers().between(1, 4320),
                        Arbitraries.integers().between(1, 240),
                        Arbitraries.longs().between(0, 4_102_444_800_000L))
                .as((clip, trigger, w, h, fps, start) ->
                        new ClipParams(DEVICE, clip, trigger, Codec.CODEC_MJPEG, w, h, fps, start, 4_000));
        return Combinators.combine(
                        params,
                        sizes,
                        Arbitraries.longs(),
                        Arbitraries.integers().between(1, 1000))
                .as(SealOpenProperties::seal);
    }

    private static Sealed seal(ClipParams params, List<Integer> sizes, long seed, int epoch) {
        SecureRandom rnd = new InsecureDeterministicRandom("seal-open-properties-" + seed);
        RootKey root = RootKey.generate(DEVICE, rnd);
        ClipSealer sealer = ClipSealer.start(root.epochKey(epoch), params, rnd);
        List<SealedFrame> frames = new ArrayList<>();
        List<byte[]> plaintexts = new ArrayList<>();
        long[] pts = new long[sizes.size()];
        for (int i = 0; i < sizes.size(); i++) {
            byte[] plaintext = new byte[sizes.get(i)];
            rnd.nextBytes(plaintext);
            plaintexts.add(plaintext);
            pts[i] = i * 1_000_003L + (seed & 0xffff);
            frames.add(sealer.seal(pts[i], plaintext, i == sizes.size() - 1));
        }
        return new Sealed(
                params, new TestClips.Clip(sealer.headerBytes(), frames, plaintexts), new ClipOpener(id -> root), pts);
    }

    private static ClipVerdict open(Sealed s, List<StoredFrameBytes> frames) {
        return s.opener().open(DEVICE, s.params().clipId(), s.clip().header(), frames);
    }

    private static byte[] change(byte[] bytes, int where, int delta) {
        byte[] out = bytes.clone();
        int at = where % out.length;
        out[at] = (byte) (out[at] ^ delta);
        return out;
    }

    private static void assertVerdict(
            ClipVerdict verdict, ClipVerdict.Status status, OptionalInt failedSeq, String reasonStart) {
        assertEquals(status, verdict.status(), verdict.summary());
        assertEquals(failedSeq, verdict.failedSeq(), verdict.summary());
        assertTrue(verdict.reason().startsWith(reasonStart), verdict.summary());
    }
}
