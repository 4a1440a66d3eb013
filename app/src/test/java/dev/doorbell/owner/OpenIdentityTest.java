package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.ViewerDirectory;
import dev.doorbell.seal.v2.DeviceSigner;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code doorbell open --identity} and {@code --share} on a store that holds a v1 clip (an older store's) and v2
 * clips, and {@code doorbell owner share} making the share: each clip opens with what it needs, and the verdict of a
 * clip opened with the wrong kind of key names what is needed.
 */
class OpenIdentityTest {
    private static final String V1_DEVICE = "old-cam";
    private static final String PORCH = "porch";

    @TempDir
    Path dir;

    private Path store;
    private Path keyring;
    private Path ownerDir;
    private OwnerDirectory owner;

    @BeforeEach
    void storeWithBothFormats() throws Exception {
        store = dir.resolve("store");
        keyring = SealedClips.keyring(dir.resolve("keyring"), V1_DEVICE);
        ownerDir = dir.resolve("owner");
        owner = OwnerDirectory.init(ownerDir, new SecureRandom()).owner();
        DeviceSigner porch = V2Clips.pair(owner, PORCH);
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
            SealedClips.upload(s, SealedClips.seal(keyring, V1_DEVICE, 1, 3), true);
            V2Clips.store(s, owner, porch, 1);
            V2Clips.store(s, owner, porch, 2);
        }
    }

    @Test
    void open_identityOnly_v2ClipsOkAndTheV1ClipNamesTheKeyring() {
        OpenCli.Result r = open("--identity", ownerDir.toString());

        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("porch                0000000000000001  motion      3 frames"), r.out());
        assertEquals(
                2,
                r.out()
                        .lines()
                        .filter(l -> l.startsWith("porch") && l.contains("OK 3 frames"))
                        .count(),
                r.out());
        assertTrue(
                r.out().contains("NO KEY: a format v1 clip: it opens with the owner's v1 keyring (--keyring DIR)"),
                r.out());
    }

    @Test
    void open_keyringOnly_v1ClipOkAndTheV2ClipsNameTheIdentity() {
        OpenCli.Result r = OpenCli.open(store, keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith(V1_DEVICE) && l.contains("OK 3 frames")), r.out());
        assertEquals(
                2,
                r.out()
                        .lines()
                        .filter(l -> l.startsWith("porch") && l.contains("NO KEY: a format v2 clip"))
                        .count(),
                r.out());
        assertTrue(r.out().contains("--identity OWNER_OR_VIEWER"), r.out());
    }

    @Test
    void open_keyringAndIdentity_everyClipOk() throws Exception {
        OpenCli.Result r = open("--identity", ownerDir.toString(), "--keyring", keyring.toString());

        assertEquals(0, r.exit(), r.all());
        assertEquals(3, r.out().lines().filter(l -> l.contains("OK 3 frames")).count(), r.out());
        assertTrue(Files.isRegularFile(dir.resolve("out/porch/0000000000000002/contact-sheet.png")));
        assertEquals("OK 3 frames\n", Files.readString(dir.resolve("out/porch/0000000000000002/verdict.txt")));
    }

    @Test
    void open_neitherKeyringNorIdentity_exitTwo() {
        OpenCli.Result r = open();
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().startsWith("open: give --identity OWNER_OR_VIEWER"), r.err());
    }

    @Test
    void open_viewerNotInTheList_notARecipient() {
        Path phone = dir.resolve("phone");
        ViewerDirectory.create(phone, "phone", new SecureRandom());
        dev.doorbell.seal.v2.KeyFiles.writeOwnerPublic(
                phone.resolve(ViewerDirectory.OWNER_PUBLIC_FILE),
                owner.ownerKey(),
                owner.viewerKey().publicKey());

        OpenCli.Result r = open("--identity", phone.toString(), "--device", PORCH);

        assertEquals(1, r.exit(), r.all());
        assertEquals(
                2,
                r.out()
                        .lines()
                        .filter(l -> l.contains("TAMPERED at header: not a recipient of this clip"))
                        .count(),
                r.out());
    }

    @Test
    void shareThenOpen_theSharedClipOnly() throws Exception {
        Path insurer = dir.resolve("insurer");
        assertEquals(
                0,
                OpenCli.run("owner", "viewer", "new", "--out", insurer.toString(), "--name", "insurer")
                        .exit());
        Path share = dir.resolve("clip.share");

        OpenCli.Result made = OpenCli.run(
                "owner",
                "share",
                "--owner",
                ownerDir.toString(),
                "--store",
                store.toString(),
                "--clip",
                "porch/0000000000000002",
                "--to",
                insurer.resolve(ViewerDirectory.PUBLIC_FILE).toString(),
                "--out",
                share.toString());
        assertEquals(0, made.exit(), made.all());
        assertTrue(made.out().startsWith("share of clip 0000000000000002 of porch for insurer"), made.out());

        OpenCli.Result opened = open("--share", share.toString(), "--identity", insurer.toString());
        assertEquals(0, opened.exit(), opened.all());
        assertEquals(
                1, opened.out().lines().filter(l -> l.contains("OK 3 frames")).count(), opened.out());
        assertFalse(opened.out().contains("0000000000000001  motion"), opened.out());

        OpenCli.Result other = open("--share", share.toString(), "--identity", insurer.toString(), "--clip", "1");
        assertEquals(1, other.exit(), other.all());
        assertTrue(other.out().contains("NO KEY: cannot open clip 1 of device porch with this share"), other.out());

        OpenCli.Result asOwnerIdentity = open("--identity", insurer.toString());
        assertEquals(2, asOwnerIdentity.exit(), asOwnerIdentity.all());
        assertTrue(asOwnerIdentity.err().contains("has no owner.pub"), asOwnerIdentity.err());

        OpenCli.Result again = OpenCli.run(
                "owner",
                "share",
                "--owner",
                ownerDir.toString(),
                "--store",
                store.toString(),
                "--clip",
                "porch/2",
                "--to",
                insurer.resolve(ViewerDirectory.PUBLIC_FILE).toString(),
                "--out",
                share.toString());
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("exists"), again.err());
    }

    @Test
    void openShare_alteredShareFile_refused() throws Exception {
        Path insurer = dir.resolve("insurer");
        ViewerDirectory.create(insurer, "insurer", new SecureRandom());
        Path share = dir.resolve("clip.share");
        assertEquals(
                0,
                OpenCli.run(
                                "owner",
                                "share",
                                "--owner",
                                ownerDir.toString(),
                                "--store",
                                store.toString(),
                                "--clip",
                                "porch/2",
                                "--to",
                                insurer.resolve(ViewerDirectory.PUBLIC_FILE).toString(),
                                "--out",
                                share.toString())
                        .exit());
        String text = Files.readString(share);
        Files.writeString(share, text.replace("clip: 0000000000000002", "clip: 0000000000000001"));

        OpenCli.Result r = open("--share", share.toString(), "--identity", insurer.toString());

        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("but its signed share is for device porch clip 0000000000000002"), r.err());
    }

    private OpenCli.Result open(String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "open", "--store", store.toString(), "--out", dir.resolve("out").toString()));
        args.addAll(java.util.List.of(more));
        return OpenCli.run(args.toArray(String[]::new));
    }
}
