package dev.doorbell.owner;

import static dev.doorbell.owner.SealedClips.seal;
import static dev.doorbell.owner.SealedClips.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The owner's {@code open} command on a real directory store: verdicts, files written and exit status. */
class OpenCommandTest {
    @TempDir
    Path dir;

    @Test
    void open_intactClips_exitZeroFramesAndSheetsWritten() throws Exception {
        Path keyring = keyring("porch");
        Path store = dir.resolve("store");
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
            upload(s, seal(keyring, "porch", 1001, 6), true);
            upload(s, seal(keyring, "porch", 1002, 3), true);
        }
        OpenCli.Result r = OpenCli.open(store, keyring, dir.resolve("out"));
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("OK 6 frames"), r.out());
        Path clipDir = dir.resolve("out/porch/" + String.format("%016x", 1001));
        assertTrue(Files.exists(clipDir.resolve("frame-00005.jpg")));
        assertTrue(Files.exists(clipDir.resolve("contact-sheet.png")));
        assertTrue(Files.readString(dir.resolve("out/summary.txt")).contains("porch"));
    }

    @Test
    void open_alteredFrameInStore_exitOneNamesFrameAndReason() throws Exception {
        Path keyring = keyring("porch");
        Path store = dir.resolve("store");
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
            upload(s, seal(keyring, "porch", 7, 5).withFrameAltered(3), true);
        }
        OpenCli.Result r = OpenCli.open(store, keyring, dir.resolve("out"));
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("TAMPERED at frame 3: authentication failed"), r.out());
        Path clipDir = dir.resolve("out/porch/" + String.format("%016x", 7));
        assertTrue(Files.exists(clipDir.resolve("frame-00002.jpg")), "frames verified before the failure are kept");
        assertFalse(Files.exists(clipDir.resolve("frame-00003.jpg")), "a frame that failed is never written");
    }

    @Test
    void open_clipCutShort_exitOneTruncated() throws Exception {
        Path keyring = keyring("porch");
        Path store = dir.resolve("store");
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
            upload(s, seal(keyring, "porch", 9, 4).firstFrames(3), false);
        }
        OpenCli.Result r = OpenCli.open(store, keyring, dir.resolve("out"));
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("TRUNCATED after 3 verified frames"), r.out());
    }

    @Test
    void open_keyringWithoutDevice_exitOneNoKey() throws Exception {
        Path keyring = keyring("porch");
        Path otherKeyring = keyring("garage");
        Path store = dir.resolve("store");
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
            upload(s, seal(keyring, "porch", 5, 2), true);
        }
        OpenCli.Result r = OpenCli.open(store, otherKeyring, dir.resolve("out"));
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("NO KEY"), r.out());
    }

    @Test
    void open_deviceMatchingNothing_exitOneSaysNothingMatched() throws Exception {
        Path keyring = keyring("porch");
        Path store = dir.resolve("store");
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
            upload(s, seal(keyring, "porch", 5, 2), true);
        }
        OpenCli.Result r = OpenCli.open(store, keyring, dir.resolve("out"), "--device", "nobody");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("no clip matched --device nobody"), r.out() + r.err());
    }

    @Test
    void open_anotherFleetsKeyringWithTheSameDeviceId_saysTheKeyDoesNotMatch() throws Exception {
        Path keyring = keyring("porch");
        Path store = dir.resolve("store");
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
            upload(s, seal(keyring, "porch", 5, 2), true);
            upload(s, seal(keyring, "porch", 6, 2), true);
        }
        Path otherFleet = SealedClips.keyring(dir.resolve("other-fleet"), "porch");
        OpenCli.Result r = OpenCli.open(store, otherFleet, dir.resolve("out"));
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(
                r.out().contains("key commitment mismatch (the key does not match this header: a wrong keyring"),
                r.out());
        assertTrue(r.out().contains("device porch: the keyring's root key matches none of its 2 clips"), r.out());
    }

    @Test
    void open_notAStore_exitTwoWithReason() {
        OpenCli.Result r = OpenCli.open(dir.resolve("nothing"), dir, dir.resolve("out"));
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not a doorbell store"), r.err());
    }

    private Path keyring(String deviceId) throws Exception {
        return SealedClips.keyring(dir.resolve("keyring-" + deviceId), deviceId);
    }
}
