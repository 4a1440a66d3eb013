package dev.doorbell.device.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.seal.testing.InsecureDeterministicRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RootKeyTest {
  private final RootKey root = RootKey.generate("front-door", new InsecureDeterministicRandom("root-key-test"));

  @Test
  void epochKey_matchesStepByStepRatchet() {
    EpochKey walked = root.epochKey(0);
    for (int e = 1; e <= 600; e++) {
      walked = walked.next();
      if (e % 97 == 0 || e == 255 || e == 256 || e == 257 || e == 600) {
        assertTrue(root.epochKey(e).secret().equalsConstantTime(walked.secret()), "epoch " + e);
      }
    }
  }

  @Test
  void epochKey_largeEpochTwice_agreesWithForwardDerivation() {
    long start = System.nanoTime();
    EpochKey far = root.epochKey(10_000);
    EpochKey again = root.epochKey(10_000);
    assertTrue(far.secret().equalsConstantTime(again.secret()));
    assertTrue(root.epochKey(9_000).forwardTo(10_000).secret().equalsConstantTime(far.secret()));
    assertTrue(System.nanoTime() - start < 20_000_000_000L, "10,000 epochs should take well under 20 s");
  }

  @Test
  void epochKeys_ofDifferentEpochsAndDevices_allDistinct() {
    RootKey sameBytesOtherDevice = RootKey.of("back-door", root.secret());
    Set<String> seen = new HashSet<>();
    for (int e = 0; e < 20; e++) {
      assertTrue(seen.add(java.util.HexFormat.of().formatHex(root.epochKey(e).secret().toByteArray())));
      assertTrue(seen.add(
          java.util.HexFormat.of().formatHex(sameBytesOtherDevice.epochKey(e).secret().toByteArray())));
    }
  }

  @Test
  void epochKey_negativeEpoch_refused() {
    assertThrows(IllegalArgumentException.class, () -> root.epochKey(-1));
  }

  @Test
  void forwardTo_earlierEpoch_refusedWithReason() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> root.epochKey(5).forwardTo(2));
    assertTrue(e.getMessage().contains("derive forward only"), e.getMessage());
  }

  @Test
  void of_wrongSizeOrBadDevice_refused() {
    assertThrows(IllegalArgumentException.class, () -> RootKey.of("front-door", SecretBytes.copyOf(new byte[31])));
    assertThrows(IllegalArgumentException.class, () -> RootKey.of("Front Door", SecretBytes.copyOf(new byte[32])));
  }

  @Test
  void toString_printsNoSecret() {
    String hex = java.util.HexFormat.of().formatHex(root.secret().toByteArray());
    assertFalse(root.toString().contains(hex.substring(0, 8)));
    assertEquals("EpochKey{device=front-door, epoch=3}", root.epochKey(3).toString());
  }

  @Test
  void destroy_epochKey_rootStillDerives() {
    EpochKey key = root.epochKey(1);
    key.destroy();
    assertTrue(key.isDestroyed());
    assertThrows(IllegalStateException.class, () -> key.secret().toByteArray());
    assertFalse(root.epochKey(1).isDestroyed());
  }
}
