package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.owner.identity.IdentityException;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.RecipientSet;
import dev.doorbell.owner.identity.ShareFile;
import dev.doorbell.owner.identity.ViewerDirectory;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.seal.v2.DeviceSigner;
import dev.doorbell.seal.v2.KeyFiles;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.RecipientLists;
import dev.doorbell.seal.v2.RecipientPublicKey;
import dev.doorbell.seal.v2.ShareRefused;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owner's recipient set against real v2 clips in a real uplink store: who opens which clip after viewers are
 * added and removed, and what a share opens.
 */
class ViewersAndSharesTest {
    private static final String PORCH = "porch";
    private static final String GATE = "gate";

    @TempDir
    Path dir;

    private OwnerDirectory owner;
    private DeviceSigner porch;
    private DeviceSigner gate;
    private Path storeDir;

    @BeforeEach
    void pairTwoDevices() {
        owner = OwnerDirectory.init(dir.resolve("owner"), new SecureRandom()).owner();
        porch = V2Clips.pair(owner, PORCH);
        gate = V2Clips.pair(owner, GATE);
        storeDir = dir.resolve("store");
    }

    @Test
    void addedViewer_opensClipsMadeWithTheNewListOnly() throws Exception {
        Path phone = viewer("phone");
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults())) {
            V2Clips.store(store, owner, porch, 1);
            List<RecipientSet.IssuedList> issued = add(phone);
            assertEquals(2, issued.size(), "a list for each paired device");
            issued.forEach(l -> assertEquals(2, l.version(), l.toString()));
            V2Clips.store(store, owner, porch, 2);
        }

        Map<Long, ClipResult> asPhone = open(ViewerDirectory.load(phone));
        assertTrue(
                asPhone.get(1L).summary().contains("not a recipient of this clip"),
                asPhone.get(1L).summary());
        assertEquals("OK", asPhone.get(2L).verdict(), asPhone.get(2L).summary());
        Map<Long, ClipResult> asOwner = open(owner);
        assertEquals("OK", asOwner.get(1L).verdict());
        assertEquals("OK", asOwner.get(2L).verdict());
    }

    @Test
    void removedViewer_newClipsNotARecipient_oldClipsStillOpen() throws Exception {
        Path phone = viewer("phone");
        add(phone);
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults())) {
            V2Clips.store(store, owner, porch, 1);
            List<RecipientSet.IssuedList> issued = new RecipientSet(owner).remove("phone", 1_750_000_002_000L);
            issued.forEach(l -> assertEquals(3, l.version(), l.toString()));
            V2Clips.store(store, owner, porch, 2);
        }

        Map<Long, ClipResult> asPhone = open(ViewerDirectory.load(phone));

        // Documented: what a removed viewer could open stays open to it; what is made after the new list does not.
        assertEquals("OK", asPhone.get(1L).verdict(), asPhone.get(1L).summary());
        assertEquals("TAMPERED", asPhone.get(2L).verdict());
        assertEquals(
                "not a recipient of this clip",
                asPhone.get(2L).keyword(),
                asPhone.get(2L).summary());
        assertEquals("OK", open(owner).get(2L).verdict());
    }

    @Test
    void remove_ownersOwnViewer_refused() {
        IdentityException e = assertThrows(
                IdentityException.class, () -> new RecipientSet(owner).remove("owner", 1_750_000_000_000L));
        assertTrue(e.getMessage().contains("cannot be removed"), e.getMessage());
    }

    @Test
    void remove_unknownViewer_refusedNamingTheRecipients() throws Exception {
        add(viewer("phone"));
        IdentityException e = assertThrows(
                IdentityException.class, () -> new RecipientSet(owner).remove("laptop", 1_750_000_000_000L));
        assertTrue(e.getMessage().contains("no viewer named 'laptop'"), e.getMessage());
        assertTrue(e.getMessage().contains("[owner, phone]"), e.getMessage());
    }

    @Test
    void add_sameNameOrSameKeyTwice_refused() throws Exception {
        Path phone = viewer("phone");
        add(phone);
        IdentityException sameName = assertThrows(IdentityException.class, () -> add(phone));
        assertTrue(sameName.getMessage().contains("already a recipient"), sameName.getMessage());
        Path renamed = dir.resolve("renamed.pub");
        RecipientPublicKey key = KeyFiles.readViewerPublic(phone.resolve(ViewerDirectory.PUBLIC_FILE));
        KeyFiles.writeViewerPublic(renamed, key.withName("tablet"));
        IdentityException sameKey =
                assertThrows(IdentityException.class, () -> new RecipientSet(owner).add(renamed, 1_750_000_000_000L));
        assertTrue(sameKey.getMessage().contains("already the key of recipient 'phone'"), sameKey.getMessage());
    }

    @Test
    void issuedLists_verifyUnderTheOwnersKeyForTheirDeviceOnly() throws Exception {
        add(viewer("phone"));
        byte[] porchList = Files.readAllBytes(owner.listFile(PORCH));

        RecipientList list = RecipientLists.verify(owner.ownerKey(), PORCH, 1, porchList);

        assertEquals(2, list.getVersion());
        assertEquals(
                List.of("owner", "phone"),
                RecipientLists.recipients(list).stream()
                        .map(RecipientPublicKey::name)
                        .toList());
        assertThrows(Exception.class, () -> RecipientLists.verify(owner.ownerKey(), GATE, 1, porchList));
        assertThrows(Exception.class, () -> RecipientLists.verify(owner.ownerKey(), PORCH, 2, porchList));
    }

    @Test
    void share_opensExactlyThatClip_refusesEveryOtherAndAnAlteredShare() throws Exception {
        Path insurer = viewer("insurer");
        SealedClips.Clip shared;
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults())) {
            V2Clips.store(store, owner, porch, 1);
            shared = V2Clips.store(store, owner, porch, 2);
            V2Clips.store(store, owner, gate, 2);
        }
        Path shareFile = dir.resolve("clip.share");
        RecipientPublicKey to = KeyFiles.readViewerPublic(insurer.resolve(ViewerDirectory.PUBLIC_FILE));
        ShareFile share = ClipShares.share(
                owner,
                StoreDirectoryReader.read(storeDir),
                PORCH,
                2,
                to,
                shareFile,
                1_750_000_003_000L,
                new SecureRandom());
        assertEquals(
                "rw-------",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(shareFile)));

        RecipientKeyPair key = ViewerDirectory.loadKey(insurer);
        ClipOpenerV2 opener = ClipOpenerV2.forShare(share.signedShare(), key);
        List<ClipResult> results = new StoreOpener(null, opener)
                .openAll(StoreDirectoryReader.read(storeDir), null, null, dir.resolve("out"), r -> {});

        Map<String, ClipResult> byClip =
                results.stream().collect(Collectors.toMap(r -> r.deviceId() + "/" + r.clipId(), Function.identity()));
        assertEquals(
                "OK",
                byClip.get(PORCH + "/2").verdict(),
                byClip.get(PORCH + "/2").summary());
        assertEquals(3, byClip.get(PORCH + "/2").verifiedFrames());
        for (String other : List.of(PORCH + "/1", GATE + "/2")) {
            assertEquals("NO KEY", byClip.get(other).verdict(), other);
            assertTrue(
                    byClip.get(other).summary().contains("with this share"),
                    byClip.get(other).summary());
            assertEquals(0, byClip.get(other).verifiedFrames());
        }

        // The same clip with its header altered (one bit of the stored header): the share is bound to the header.
        byte[] header = shared.header().clone();
        header[header.length - 1] ^= 0x01;
        assertFalse(opener.open(PORCH, 2, header, shared.frames().toArray(new dev.doorbell.seal.SealedFrame[0]))
                .isOk());

        // Every byte of the signed share altered: refused when read, or the clip does not open with it.
        byte[] signed = share.signedShare();
        int refused = 0;
        for (int i = 0; i < signed.length; i++) {
            byte[] altered = signed.clone();
            altered[i] ^= 0x01;
            try {
                ClipOpenerV2 bad = ClipOpenerV2.forShare(altered, key);
                assertFalse(
                        bad.open(
                                        PORCH,
                                        2,
                                        shared.header(),
                                        shared.frames().toArray(new dev.doorbell.seal.SealedFrame[0]))
                                .isOk(),
                        "byte " + i + " of the share altered and the clip still opened");
            } catch (ShareRefused | IllegalArgumentException | dev.doorbell.seal.KeyUnavailableException e) {
                refused++;
            }
        }
        assertTrue(refused > signed.length / 2, refused + " of " + signed.length + " refused when read");
    }

    @Test
    void share_v3Clip_opensForTheThirdPartyWithItsSealedInfo() throws Exception {
        Path insurer = viewer("insurer");
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults())) {
            SealedClips.upload(store, V2Clips.sealV3(porch, V2Clips.currentList(owner, PORCH), 0x5eed_1234L, 3), true);
        }
        RecipientPublicKey to = KeyFiles.readViewerPublic(insurer.resolve(ViewerDirectory.PUBLIC_FILE));

        ShareFile share = ClipShares.share(
                owner,
                StoreDirectoryReader.read(storeDir),
                PORCH,
                0x5eed_1234L,
                to,
                dir.resolve("v3.share"),
                1_750_000_003_000L,
                new SecureRandom());

        ClipOpenerV2 opener = ClipOpenerV2.forShare(share.signedShare(), ViewerDirectory.loadKey(insurer));
        List<ClipResult> results = new StoreOpener(null, opener)
                .openAll(StoreDirectoryReader.read(storeDir), null, null, dir.resolve("out"), r -> {});
        assertEquals(1, results.size());
        assertEquals("OK", results.get(0).verdict(), results.get(0).summary());
        assertEquals(3, results.get(0).verifiedFrames());
    }

    @Test
    void share_v1OrMissingClip_refused() throws Exception {
        Path insurer = viewer("insurer");
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults())) {
            V2Clips.store(store, owner, porch, 1);
        }
        RecipientPublicKey to = KeyFiles.readViewerPublic(insurer.resolve(ViewerDirectory.PUBLIC_FILE));
        IdentityException e = assertThrows(
                IdentityException.class,
                () -> ClipShares.share(
                        owner,
                        StoreDirectoryReader.read(storeDir),
                        PORCH,
                        9,
                        to,
                        dir.resolve("s"),
                        0,
                        new SecureRandom()));
        assertTrue(e.getMessage().contains("no clip 0000000000000009 of device porch"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("s")));
    }

    private Path viewer(String name) {
        Path viewer = dir.resolve("viewer-" + name);
        ViewerDirectory.create(viewer, name, new SecureRandom());
        KeyFiles.writeOwnerPublic(
                viewer.resolve(ViewerDirectory.OWNER_PUBLIC_FILE),
                owner.ownerKey(),
                owner.viewerKey().publicKey());
        return viewer;
    }

    private List<RecipientSet.IssuedList> add(Path viewer) {
        return new RecipientSet(owner).add(viewer.resolve(ViewerDirectory.PUBLIC_FILE), 1_750_000_001_000L);
    }

    private Map<Long, ClipResult> open(dev.doorbell.seal.v2.Identity identity) throws Exception {
        return new StoreOpener(null, new ClipOpenerV2(identity))
                        .openAll(
                                StoreDirectoryReader.read(storeDir),
                                PORCH,
                                null,
                                dir.resolve("out-" + System.nanoTime()),
                                r -> {})
                        .stream()
                        .collect(Collectors.toMap(ClipResult::clipId, Function.identity()));
    }
}
