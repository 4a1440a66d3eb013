package dev.doorbell.device.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.keys.EpochKey;
import dev.doorbell.device.keys.RootKey;
import dev.doorbell.device.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.FrameMeta;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClipSealerTest {
  private static final int[] SIZES = {0, 1, 15, 16, 17, 255, 1000, 8191, 8192, 8193, 16_384, 16_385, 65_536,
      100_000, 1 << 20};

  private final SecureRandom rnd = new InsecureDeterministicRandom("clip-sealer-test");
  private final RootKey root = RootKey.generate(TestClips.DEVICE, rnd);
  private final EpochKey key = root.epochKey(3);
  private final ClipOpener opener = new ClipOpener(id -> id.equals(TestClips.DEVICE) ? root : null);

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 15, 16, 17, 8191, 8193, 16_384, 65_536, 1 << 20})
  void sealThenOpen_singleFrameOfSize_roundTrips(int size) {
    TestClips.Clip clip = TestClips.seal(key, size, rnd, size);
    ClipVerdict verdict = opener.open(TestClips.DEVICE, size, clip.header(), clip.stored());
    assertEquals("OK 1 frames", verdict.summary());
    assertArrayEquals(clip.plaintexts().get(0), verdict.frames().get(0).plaintext());
    assertEquals(size + 16, clip.frames().get(0).sealed().length);
  }

  @ParameterizedTest
  @CsvSource({"JCA, JCA", "JCA, BOUNCY_CASTLE", "BOUNCY_CASTLE, JCA"})
  void sealThenOpen_manySizesAcrossProviders_roundTrips(GcmProvider sealWith, GcmProvider openWith) {
    TestClips.Clip clip = TestClips.seal(key, 77, rnd, sealWith, SIZES);
    ClipVerdict verdict = opener.withProvider(openWith).open(TestClips.DEVICE, 77, clip.header(), clip.stored());
    assertEquals(ClipVerdict.Status.OK, verdict.status(), verdict.summary());
    assertEquals(SIZES.length, verdict.frames().size());
    for (int i = 0; i < SIZES.length; i++) {
      OpenedFrame frame = verdict.frames().get(i);
      assertEquals(i, frame.seq());
      assertEquals(i == SIZES.length - 1, frame.last());
      assertEquals(i * 66_666L, frame.ptsMicros());
      assertArrayEquals(clip.plaintexts().get(i), frame.plaintext(), "frame " + i);
    }
  }

  @Test
  void sealJcaAndBouncyCastle_sameRandomness_sameBytes() {
    TestClips.Clip jca = TestClips.seal(key, 5, new InsecureDeterministicRandom("same"), GcmProvider.JCA, 3, 40, 0);
    TestClips.Clip bc = TestClips.seal(key, 5, new InsecureDeterministicRandom("same"), GcmProvider.BOUNCY_CASTLE,
        3, 40, 0);
    assertArrayEquals(jca.header(), bc.header());
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(jca.frames().get(i).sealed(), bc.frames().get(i).sealed());
    }
  }

  @Test
  void start_headerCarriesParamsFreshSaltAndPrefix() throws Exception {
    ClipSealer first = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 9), rnd);
    ClipSealer second = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 9), rnd);
    ClipHeader header = ClipHeader.parseFrom(first.headerBytes());
    assertEquals(first.header(), header);
    assertEquals(1, header.getFormatVersion());
    assertEquals(TestClips.DEVICE, header.getDeviceId());
    assertEquals(9, header.getClipId());
    assertEquals(3, header.getKeyEpoch());
    assertEquals(32, header.getSalt().size());
    assertEquals(7, header.getNoncePrefix().size());
    assertEquals(32, header.getKeyCommitment().size());
    assertEquals(640, header.getWidth());
    assertEquals(4_000, header.getPreRollMs());
    assertFalse(header.getSalt().equals(second.header().getSalt()));
    assertFalse(header.getNoncePrefix().equals(second.header().getNoncePrefix()));
  }

  @Test
  void seal_framesNumberedAndMetaCarriesLength() throws Exception {
    ClipSealer sealer = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 10), rnd);
    Set<String> sealedSeen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      assertEquals(i, sealer.nextSeq());
      SealedFrame frame = sealer.seal(i, new byte[10], i == 49);
      assertEquals(i, frame.seq());
      assertEquals(10, frame.clipId());
      assertEquals(10, FrameMeta.parseFrom(frame.meta()).getPlaintextLength());
      assertTrue(sealedSeen.add(java.util.HexFormat.of().formatHex(frame.sealed())),
          "same plaintext must seal differently at each position");
    }
  }

  @Test
  void seal_afterLastFrame_throws() {
    ClipSealer sealer = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 11), rnd);
    sealer.seal(0, new byte[1], true);
    assertTrue(sealer.isFinished());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> sealer.seal(1, new byte[1], false));
    assertTrue(e.getMessage().contains("clip 11 of device front-door is finished"), e.getMessage());
  }

  @Test
  void start_keyOfAnotherDevice_refused() {
    EpochKey other = RootKey.generate("back-door", rnd).epochKey(0);
    assertThrows(IllegalArgumentException.class,
        () -> ClipSealer.start(other, TestClips.params(TestClips.DEVICE, 1), rnd));
  }

  @Test
  void clipParams_invalidValues_refused() {
    assertThrows(IllegalArgumentException.class, () -> TestClips.params("Front_Door", 1));
    assertThrows(IllegalArgumentException.class, () -> TestClips.params(TestClips.DEVICE, -1));
    assertThrows(IllegalArgumentException.class, () -> new ClipParams(TestClips.DEVICE, 1, null,
        dev.doorbell.proto.v1.Codec.CODEC_MJPEG, 1, 1, 1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new ClipParams(TestClips.DEVICE, 1,
        dev.doorbell.proto.v1.Trigger.TRIGGER_RING, dev.doorbell.proto.v1.Codec.CODEC_MJPEG, 0, 1, 1, 0, 0));
  }
}
