package dev.doorbell.seal.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
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
            assertTrue(seen.add(
                    java.util.HexFormat.of().formatHex(root.epochKey(e).secret().toByteArray())));
            assertTrue(seen.add(java.util.HexFormat.of()
                    .formatHex(sameBytesOtherDevice.epochKey(e).secret().toByteArray())));
        }
    }

    @Test
    void epochKey_checkpointEvery256Epochs_holdingThatEpochsKey() {
        assertEquals(Set.of(), root.checkpoints().keySet(), "nothing cached before the first derivation");
        root.epochKey(3);
        assertEquals(Set.of(0), root.checkpoints().keySet());
        root.epochKey(255);
        assertEquals(Set.of(0), root.checkpoints().keySet());
        root.epochKey(256);
        assertEquals(Set.of(0, 256), root.checkpoints().keySet());
        root.epochKey(257);
        root.epochKey(600);
        SortedMap<Integer, SecretBytes> checkpoints = root.checkpoints();
        assertEquals(List.of(0, 256, 512), List.copyOf(checkpoints.keySet()));
        EpochKey walked = RootKey.of("front-door", root.secret()).epochKey(0);
        for (int e = 0; e <= 512; e++) {
            if (checkpoints.containsKey(e)) {
                assertTrue(checkpoints.get(e).equalsConstantTime(walked.secret()), "checkpoint " + e);
            }
            walked = walked.next();
        }
    }

    @Test
    void epochKey_belowACheckpoint_derivedFromTheCheckpointBelowIt() {
        RootKey fresh = RootKey.of("front-door", root.secret());
        EpochKey direct = fresh.epochKey(300);
        root.epochKey(600);
        assertTrue(root.epochKey(300).secret().equalsConstantTime(direct.secret()));
        assertTrue(root.epochKey(256)
                .secret()
                .equalsConstantTime(fresh.epochKey(256).secret()));
        assertEquals(Set.of(0, 256, 512), root.checkpoints().keySet(), "no checkpoint added going back");
    }

    @Test
    void checkpoints_viewIsReadOnly() {
        root.epochKey(1);
        Map<Integer, SecretBytes> view = root.checkpoints();
        assertThrows(UnsupportedOperationException.class, () -> view.remove(0));
    }

    @Test
    void destroy_zeroesRootAndEveryCheckpoint_thenDerivingThrows() {
        byte[] zeros = new byte[32];
        RecordingRandom rnd = new RecordingRandom();
        RootKey key = RootKey.generate("porch", rnd);
        assertArrayEquals(rnd.last, key.secret().toByteArray());
        key.epochKey(520);
        Map<Integer, SecretBytes> checkpoints = key.checkpoints();
        assertEquals(Set.of(0, 256, 512), checkpoints.keySet());

        key.destroy();

        assertArrayEquals(zeros, rnd.last, "the generated key bytes are zeroed in place");
        assertTrue(key.secret().isDestroyed());
        checkpoints.forEach((epoch, secret) -> assertTrue(secret.isDestroyed(), "checkpoint " + epoch));
        assertEquals(Map.of(), key.checkpoints());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> key.epochKey(520));
        assertEquals("secret of 32 bytes was destroyed", e.getMessage());
        assertEquals("RootKey{device=porch, destroyed}", key.toString());
    }

    @Test
    void adopt_takesTheArray_wrongSizeOrDeviceRefused() {
        byte[] key = new byte[32];
        key[0] = 1;
        RootKey adopted = RootKey.adopt("porch", key);
        assertEquals("porch", adopted.deviceId());
        adopted.destroy();
        assertArrayEquals(new byte[32], key);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RootKey.adopt("porch", new byte[33]));
        assertEquals("root key of device porch is 33 bytes, expected 32", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RootKey.adopt("Porch", new byte[32]));
    }

    @Test
    void of_copiesTheSecret() {
        SecretBytes bytes = SecretBytes.copyOf(new byte[32]);
        RootKey key = RootKey.of("porch", bytes);
        bytes.destroy();
        assertEquals(32, key.secret().toByteArray().length);
        assertEquals("RootKey{device=porch}", key.toString());
    }

    @Test
    void epochKey_negativeEpoch_refused() {
        assertThrows(IllegalArgumentException.class, () -> root.epochKey(-1));
    }

    @Test
    void forwardTo_earlierEpoch_refusedWithReason() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> root.epochKey(5).forwardTo(2));
        assertTrue(e.getMessage().contains("derive forward only"), e.getMessage());
    }

    @Test
    void of_wrongSizeOrBadDevice_refused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> RootKey.of("front-door", SecretBytes.copyOf(new byte[31])));
        assertEquals("root key of device front-door is 31 bytes, expected 32", e.getMessage());
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

    /** Hands out deterministic bytes and keeps the last array it filled, to check what happens to it later. */
    private static final class RecordingRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final transient SecureRandom bytes = new InsecureDeterministicRandom("recording-random");
        private transient byte[] last;

        @Override
        public void nextBytes(byte[] out) {
            bytes.nextBytes(out);
            last = out;
        }
    }
}
