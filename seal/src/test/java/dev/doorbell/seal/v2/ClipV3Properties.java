package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.OpenedFrame;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * jqwik properties of v3 sealing and opening: any images, frame facts and padding round-trip exactly, every sealed
 * frame has the length of docs/FORMAT.md §17.3, and any changed byte of a sealed frame is refused at that frame.
 */
class ClipV3Properties {
    private static final V2Fixture WORLD = new V2Fixture(new InsecureDeterministicRandom("clip-v3-properties"));
    private static final ClipOpenerV2 ALICE = new ClipOpenerV2(WORLD.identityOf(WORLD.alice));

    record Frame(int size, long pts, int motion, boolean ring) {}

    private record Sealed(ClipSealerV3 sealer, List<SealedFrame> frames, List<byte[]> images, List<Frame> facts) {}

    @Property(tries = 50)
    void anyImagesFactsAndPadding_roundTripAtTheLengthsOfTheRule(
            @ForAll("pads") int padTo, @ForAll @Size(min = 1, max = 6) List<@From("frames") Frame> frames) {
        Sealed s = seal(padTo, frames);
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            int info = V2Fixture.frameInfo(0, 0).toBuilder()
                    .setPtsUs(f.pts())
                    .setImageLength(f.size())
                    .setMotionPermille(f.motion())
                    .setRingPressed(f.ring())
                    .build()
                    .getSerializedSize();
            int sealed = s.frames().get(i).sealed().length;
            int content = 4 + info + f.size() + 16;
            if (padTo == 0) {
                assertEquals(content, sealed);
            } else {
                assertEquals(0, sealed % padTo);
                assertTrue(sealed >= content && sealed - padTo < content, sealed + " for " + content);
            }
        }
        ClipVerdict v =
                ALICE.open(V2Fixture.DEVICE, s.sealer().clipId(), s.sealer().headerBytes(), stored(s));
        assertTrue(v.isOk(), v.summary());
        assertEquals(padTo, v.info().orElseThrow().getPadTo());
        for (int i = 0; i < frames.size(); i++) {
            OpenedFrame opened = v.frames().get(i);
            assertArrayEquals(s.images().get(i), opened.image());
            assertEquals(frames.get(i).pts(), opened.ptsMicros());
            assertEquals(frames.get(i).motion(), opened.motionPermille());
            assertEquals(frames.get(i).ring(), opened.ringPressed());
        }
    }

    @Property(tries = 50)
    void anyChangedByteOfASealedFrame_authenticationFailedThere(
            @ForAll("pads") int padTo,
            @ForAll @Size(min = 1, max = 4) List<@From("frames") Frame> frames,
            @ForAll @IntRange(min = 0, max = 1 << 20) int where,
            @ForAll @IntRange(min = 1, max = 255) int delta) {
        Sealed s = seal(padTo, frames);
        List<StoredFrameBytes> stored = stored(s);
        int seq = where % stored.size();
        StoredFrameBytes f = stored.get(seq);
        byte[] sealed = f.sealed().clone();
        sealed[where % sealed.length] += (byte) delta;
        stored.set(seq, new StoredFrameBytes(seq, f.last(), f.meta(), sealed));
        ClipVerdict v =
                ALICE.open(V2Fixture.DEVICE, s.sealer().clipId(), s.sealer().headerBytes(), stored);
        assertEquals("authentication failed", v.keyword(), v.summary());
        assertEquals(seq, v.failedSeq().orElse(-1));
    }

    @Provide
    Arbitrary<Integer> pads() {
        return Arbitraries.oneOf(
                Arbitraries.just(0),
                Arbitraries.integers().between(4, 600).map(n -> n * 16),
                Arbitraries.just(Padding.RECOMMENDED));
    }

    @Provide
    Arbitrary<Frame> frames() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 9000),
                        Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.integers().between(0, 1000),
                        Arbitraries.of(true, false))
                .as(Frame::new);
    }

    private static Sealed seal(int padTo, List<Frame> frames) {
        ClipSealerV3 sealer = WORLD.startV3(ClipIds.random(WORLD.random), V2Fixture.FIRST, padTo);
        List<SealedFrame> sealed = new ArrayList<>();
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            byte[] image = new byte[f.size()];
            WORLD.random.nextBytes(image);
            images.add(image);
            sealed.add(sealer.seal(new FrameFacts(f.pts(), f.motion(), f.ring()), image, i == frames.size() - 1));
        }
        return new Sealed(sealer, sealed, images, frames);
    }

    private static List<StoredFrameBytes> stored(Sealed s) {
        List<StoredFrameBytes> out = new ArrayList<>();
        s.frames().forEach(f -> out.add(f.toStored()));
        return out;
    }
}
