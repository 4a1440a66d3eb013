package dev.doorbell.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.owner.keyring.OwnerKeyring;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who can open which epoch: the owner every epoch, a device only its own epoch and later ones. */
class ClipOpenerEpochTest {
    private final SecureRandom rnd = new InsecureDeterministicRandom("clip-opener-epoch-test");
    private final RootKey root = RootKey.generate(TestClips.DEVICE, rnd);

    @Test
    void ownerKeyring_clipsOfSeveralEpochs_allOpen(@TempDir Path dir) {
        OwnerKeyring.writeRootKey(dir, root);
        ClipOpener owner = new ClipOpener(OwnerKeyring.open(dir));
        EpochKey deviceKey = root.epochKey(0);
        for (int epoch = 0; epoch <= 6; epoch++) {
            TestClips.Clip clip = TestClips.seal(deviceKey, 100 + epoch, rnd, 10, 20, 30);
            ClipVerdict verdict = owner.open(TestClips.DEVICE, 100 + epoch, clip.header(), clip.stored());
            assertEquals("OK 3 frames", verdict.summary(), "epoch " + epoch);
            assertEquals(epoch, verdict.header().getKeyEpoch());
            deviceKey = deviceKey.next();
        }
    }

    @Test
    void deviceKeyOfEpoch5_clipOfEpoch2_refusedWithEpochs() {
        TestClips.Clip old = TestClips.seal(root.epochKey(2), 1, rnd, 10, 10);
        ClipOpener device = new ClipOpener(root.epochKey(5));
        KeyUnavailableException e = assertThrows(
                KeyUnavailableException.class, () -> device.open(TestClips.DEVICE, 1, old.header(), old.stored()));
        assertTrue(e.getMessage().contains("clip is from epoch 2, key is epoch 5"), e.getMessage());
    }

    @Test
    void deviceKeyOfEpoch2_clipOfEpoch5_opensByDerivingForward() {
        TestClips.Clip later = TestClips.seal(root.epochKey(5), 1, rnd, 10, 10);
        EpochKey deviceKey = root.epochKey(2);
        assertEquals(
                "OK 2 frames",
                new ClipOpener(deviceKey)
                        .open(TestClips.DEVICE, 1, later.header(), later.stored())
                        .summary());
        assertEquals(2, deviceKey.epoch());
        assertTrue(!deviceKey.isDestroyed(), "the opener must not destroy the caller's key");
    }

    @Test
    void deviceKeyOfTheClipsOwnEpoch_opens() {
        TestClips.Clip clip = TestClips.seal(root.epochKey(4), 1, rnd, 10, 10);
        EpochKey deviceKey = root.epochKey(4);
        assertEquals(
                "OK 2 frames",
                new ClipOpener(deviceKey)
                        .open(TestClips.DEVICE, 1, clip.header(), clip.stored())
                        .summary());
        assertTrue(!deviceKey.isDestroyed(), "the opener must not destroy the caller's key");
    }

    @Test
    void open_destroysTheEpochKeyItWasGiven_onEveryVerdict() {
        TestClips.Clip clip = TestClips.seal(root.epochKey(1), 1, rnd, 10, 10);
        List<EpochKey> handedOut = new ArrayList<>();
        ClipOpener opener = new ClipOpener(
                (deviceId, epoch, clipId) -> {
                    EpochKey key = root.epochKey(epoch);
                    handedOut.add(key);
                    return key;
                },
                GcmProvider.JCA);
        assertEquals(
                "OK 2 frames",
                opener.open(TestClips.DEVICE, 1, clip.header(), clip.stored()).summary());
        List<StoredFrameBytes> tampered = clip.stored();
        tampered.remove(0);
        assertTrue(opener.open(TestClips.DEVICE, 1, clip.header(), tampered)
                .summary()
                .startsWith("TAMPERED at frame 0"));
        ClipOpener wrongKey = new ClipOpener(
                (deviceId, epoch, clipId) -> {
                    EpochKey key = RootKey.generate(TestClips.DEVICE, rnd).epochKey(epoch);
                    handedOut.add(key);
                    return key;
                },
                GcmProvider.BOUNCY_CASTLE);
        assertTrue(wrongKey.open(TestClips.DEVICE, 1, clip.header(), clip.stored())
                .reason()
                .startsWith("key commitment mismatch"));
        assertEquals(3, handedOut.size());
        for (EpochKey key : handedOut) {
            assertTrue(key.isDestroyed(), key.toString());
        }
    }

    @Test
    void rootKeyLookupWithoutDevice_refusedNamingClipAndDevice() {
        TestClips.Clip clip = TestClips.seal(root.epochKey(0), 1, rnd, 10);
        KeyUnavailableException e = assertThrows(
                KeyUnavailableException.class,
                () -> new ClipOpener(id -> null).open(TestClips.DEVICE, 1, clip.header(), clip.stored()));
        assertEquals("cannot open clip 1 of device front-door: no root key for that device", e.getMessage());
    }

    @Test
    void deviceKeyOfAnotherDevice_refused() {
        TestClips.Clip clip = TestClips.seal(root.epochKey(0), 1, rnd, 10);
        ClipOpener other = new ClipOpener(RootKey.generate("back-door", rnd).epochKey(0));
        KeyUnavailableException e = assertThrows(
                KeyUnavailableException.class, () -> other.open(TestClips.DEVICE, 1, clip.header(), clip.stored()));
        assertTrue(e.getMessage().contains("the key is of device back-door"), e.getMessage());
    }

    @Test
    void ownerKeyringWithoutDevice_refusedNamingDevice(@TempDir Path dir) {
        TestClips.Clip clip = TestClips.seal(root.epochKey(0), 1, rnd, 10);
        ClipOpener owner = new ClipOpener(OwnerKeyring.open(dir));
        KeyUnavailableException e = assertThrows(
                KeyUnavailableException.class, () -> owner.open(TestClips.DEVICE, 1, clip.header(), clip.stored()));
        assertTrue(e.getMessage().contains("no root key for device 'front-door'"), e.getMessage());
    }
}
