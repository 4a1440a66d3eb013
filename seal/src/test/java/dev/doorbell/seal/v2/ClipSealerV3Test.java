package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipOpener;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.KeyUnavailableException;
import dev.doorbell.seal.OpenedFrame;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.seal.testing.InsecureReplayRandom;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The v3 sealer (docs/FORMAT.md §17): what the header shows, what the seal hides, padding, chain and clip ids. */
class ClipSealerV3Test {
    private static final long CLIP = 0x5eed_cafe_f00dL;

    private final V2Fixture world = new V2Fixture(new InsecureDeterministicRandom("clip-sealer-v3-test"));
    private final ClipOpenerV2 owner = new ClipOpenerV2(world.ownerIdentity());
    private final ClipOpenerV2 alice = new ClipOpenerV2(world.identityOf(world.alice));

    @Test
    void header_holdsOnlyTheFieldsOfV3_andNoEventMetadata() {
        V2Fixture.Clip clip = world.sealV3(CLIP, 0, 10, 20);
        ClipHeader inner = V2Fixture.inner(clip.header());
        Set<Integer> present = new TreeSet<>();
        for (FieldDescriptor f : inner.getAllFields().keySet()) {
            present.add(f.getNumber());
        }
        assertEquals(Set.of(1, 2, 3, 6, 13, 20, 21, 22, 23, 24), present);
        assertTrue(inner.getUnknownFields().asMap().isEmpty());
        assertEquals(3, inner.getFormatVersion());
        assertEquals(HeaderFormat.V3, HeaderFormat.version(clip.header()));
        for (SealedFrame f : clip.frames()) {
            assertEquals(0, f.meta().length, "frame " + f.seq() + " meta");
        }
    }

    @Test
    void roundTrip_ownerAndViewerOpenInfoImagesAndFrameFacts() {
        ClipSealerV3 sealer = world.startV3(CLIP, V2Fixture.FIRST, 0);
        V2Fixture.Clip clip = world.sealV3(sealer, 0, 20, 300);
        for (ClipOpenerV2 opener : List.of(owner, alice)) {
            ClipVerdict v = opener.open(V2Fixture.DEVICE, CLIP, clip.header(), clip.stored());
            assertEquals("OK 3 frames", v.summary());
            ClipInfo info = v.info().orElseThrow();
            assertEquals(sealer.info(), info);
            assertEquals(Trigger.TRIGGER_RING, info.getTrigger());
            assertEquals(1_700_000_123_000L, info.getStartTimeUnixMs());
            assertEquals(2_000, info.getPreRollMs());
            assertEquals(List.of(V2Fixture.RING_AT), info.getRingUnixMsList());
            for (int i = 0; i < 3; i++) {
                OpenedFrame f = v.frames().get(i);
                assertArrayEquals(clip.plaintexts().get(i), f.image(), "image " + i);
                assertEquals(V2Fixture.facts(i).ptsMicros(), f.ptsMicros());
                assertEquals(V2Fixture.facts(i).motionPermille(), f.motionPermille());
                assertEquals(V2Fixture.facts(i).ringPressed(), f.ringPressed());
            }
        }
    }

    @Test
    void unpadded_sealedLengthIsLengthPrefixFrameInfoImageAndTag() {
        V2Fixture.Clip clip = world.sealV3(CLIP, 0, 0, 20, 300);
        for (int i = 0; i < 3; i++) {
            int info = V2Fixture.frameInfo(i, clip.plaintexts().get(i).length).getSerializedSize();
            assertEquals(
                    4 + info + clip.plaintexts().get(i).length + 16,
                    clip.frames().get(i).sealed().length);
        }
    }

    @Test
    void padded_everySealedFrameIsTheSmallestMultipleThatFits() {
        // 4 + n + image + 16 = 4096 exactly for frame 1's image; frame 2's is one byte more than would fit.
        int fits = 4096 - 4 - V2Fixture.frameInfo(1, 4000).getSerializedSize() - 16;
        int spills = 4096 - 4 - V2Fixture.frameInfo(2, 4000).getSerializedSize() - 16 + 1;
        int[] sizes = {0, fits, spills, 10_000};
        ClipSealerV3 sealer = world.startV3(CLIP, V2Fixture.FIRST, Padding.RECOMMENDED);
        V2Fixture.Clip clip = world.sealV3(sealer, sizes);
        int[] expected = {4096, 4096, 8192, 12_288};
        for (int i = 0; i < sizes.length; i++) {
            assertEquals(expected[i], clip.frames().get(i).sealed().length, "frame " + i);
        }
        ClipVerdict v = alice.open(V2Fixture.DEVICE, CLIP, clip.header(), clip.stored());
        assertEquals("OK 4 frames", v.summary());
        assertEquals(4096, v.info().orElseThrow().getPadTo());
        for (int i = 0; i < sizes.length; i++) {
            assertArrayEquals(clip.plaintexts().get(i), v.frames().get(i).image(), "frame " + i);
        }
    }

    @Test
    void padding_checkAndSealedLength() {
        for (int valid : new int[] {0, 64, 80, 4096, 1 << 20}) {
            assertEquals(valid, Padding.check(valid));
        }
        for (int invalid : new int[] {-16, 16, 48, 63, 100, 4097, (1 << 20) + 16}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Padding.check(invalid));
            assertTrue(
                    e.getMessage().startsWith("pad " + invalid + " bytes: use 0 (off) or 64..1048576"), e::getMessage);
        }
        assertEquals(130, Padding.sealedLength(0, 10, 100));
        assertEquals(192, Padding.sealedLength(64, 10, 100));
        assertEquals(4096, Padding.sealedLength(4096, 10, 0));
        assertEquals(8192, Padding.sealedLength(4096, 10, 4096 - 30 + 1));
    }

    @Test
    void clipIds_63RandomBitsDrawnAgainWhileZero() {
        // nextLong() is (high << 32) + low of two 4-byte draws: 0, then only the sign bit (masked to 0 again), then
        // all ones, which is (-1 << 32) + -1 and so 0x7ffffffeffffffff once masked.
        InsecureReplayRandom r = new InsecureReplayRandom(
                new byte[8], new byte[] {(byte) 0x80, 0, 0, 0, 0, 0, 0, 0}, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1
                });
        assertEquals(0x7fff_fffe_ffff_ffffL, ClipIds.random(r));
        assertEquals(0, r.remaining());
        InsecureDeterministicRandom random = new InsecureDeterministicRandom("clip ids");
        for (int i = 0; i < 1000; i++) {
            assertTrue(ClipIds.random(random) > 0);
        }
    }

    @Test
    void chain_secondClipNamesTheFirstByIdAndHeaderHash() throws Exception {
        ClipSealerV3 first = world.startV3(CLIP, V2Fixture.FIRST, 0);
        byte[] firstHeader = world.sealV3(first, 5, 6).header();
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(firstHeader), first.headerSha256());
        ChainLink link = ChainLink.newBuilder()
                .setPosition(2)
                .setPrevClipId(CLIP)
                .setPrevHeaderSha256(ByteString.copyFrom(first.headerSha256()))
                .setPrevAcknowledgedFrames(2)
                .setPrevFinalAcknowledged(true)
                .build();
        V2Fixture.Clip second = world.sealV3(world.startV3(CLIP + 1, link, 0), 7);
        assertEquals(link, V2Fixture.inner(second.header()).getChain());
        assertEquals(
                "OK 1 frames",
                owner.open(V2Fixture.DEVICE, CLIP + 1, second.header(), second.stored())
                        .summary());
    }

    @Test
    void start_refusesWhatNoOpenerWouldAccept() {
        assertStartRefused("a v3 clip id is never 0", 0, V2Fixture.FIRST, List.of(1L), 0);
        assertStartRefused("pad 100 bytes: use 0 (off) or 64..1048576", CLIP, V2Fixture.FIRST, List.of(1L), 100);
        assertStartRefused("a ring clip has at least one ring press", CLIP, V2Fixture.FIRST, List.of(), 0);
        assertStartRefused(
                "chain position 0; positions count from 1", CLIP, ChainLink.getDefaultInstance(), List.of(1L), 0);
        assertStartRefused(
                "chain position 2: prev_header_sha256 is 0 bytes, expected 32",
                CLIP,
                ChainLink.newBuilder().setPosition(2).setPrevClipId(7).build(),
                List.of(1L),
                0);
        assertStartRefused(
                "chain position 1 names a predecessor",
                CLIP,
                V2Fixture.FIRST.toBuilder().setPrevClipId(7).build(),
                List.of(1L),
                0);
    }

    @Test
    void sealFrameFacts_outOfRangeRefused_andTheOldSealMeansNoMotionNoRing() {
        assertThrows(IllegalArgumentException.class, () -> new FrameFacts(0, 1001, false));
        assertThrows(IllegalArgumentException.class, () -> new FrameFacts(-1, 0, false));
        ClipSealerV3 sealer = world.startV3(CLIP, V2Fixture.FIRST, 0);
        SealedFrame f = sealer.seal(1234, new byte[] {1, 2, 3}, true);
        assertTrue(sealer.isKeyDestroyed());
        ClipVerdict v = alice.open(V2Fixture.DEVICE, CLIP, sealer.headerBytes(), f);
        OpenedFrame opened = v.frames().get(0);
        assertEquals(1234, opened.ptsMicros());
        assertEquals(0, opened.motionPermille());
        assertEquals(false, opened.ringPressed());
        assertThrows(IllegalStateException.class, () -> sealer.seal(new FrameFacts(0, 0, false), new byte[1], true));
    }

    @Test
    void keyringOpener_refusesAV3Clip_andV2ClipsReportTheirPublicInfo() {
        V2Fixture.Clip v3 = world.sealV3(CLIP, 0, 1);
        ClipOpener keyring =
                new ClipOpener(RootKey.generate(V2Fixture.DEVICE, world.random).epochKey(0));
        KeyUnavailableException e = assertThrows(
                KeyUnavailableException.class, () -> keyring.open(V2Fixture.DEVICE, CLIP, v3.header(), v3.stored()));
        assertTrue(e.getMessage().contains("it is a format v3 clip"), e::getMessage);
        V2Fixture.Clip v2 = world.seal(CLIP, 1);
        ClipInfo info = owner.open(V2Fixture.DEVICE, CLIP, v2.header(), v2.stored())
                .info()
                .orElseThrow();
        ClipParams p = V2Fixture.params(CLIP);
        assertEquals(
                ClipInfo.newBuilder()
                        .setTrigger(p.trigger())
                        .setCodec(Codec.CODEC_MJPEG)
                        .setWidth(640)
                        .setHeight(480)
                        .setFps(15)
                        .setStartTimeUnixMs(p.startTimeUnixMs())
                        .setPreRollMs(2_000)
                        .build(),
                info);
    }

    private void assertStartRefused(String message, long clipId, ChainLink chain, List<Long> rings, int padTo) {
        ClipParams p = V2Fixture.params(clipId);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ClipSealerV3.start(world.signer, world.list, p, chain, rings, padTo, world.random));
        assertTrue(e.getMessage().contains(message), e::getMessage);
    }
}
