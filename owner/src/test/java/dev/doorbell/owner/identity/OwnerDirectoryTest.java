package dev.doorbell.owner.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.v2.Kem;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.RecipientPublicKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void recover_fromThePhraseOfInit_writesByteIdenticalSecretAndPublicFiles() throws Exception {
        Path first = dir.resolve("owner");
        OwnerDirectory.Created created = OwnerDirectory.init(first, new SecureRandom());
        Path second = dir.resolve("recovered");

        OwnerDirectory recovered = OwnerDirectory.recover(second, created.phrase());

        for (String file : List.of(
                OwnerDirectory.SECRET_FILE,
                OwnerDirectory.PUBLIC_FILE,
                "viewers/" + OwnerDirectory.OWNER_VIEWER + ".pub")) {
            assertArrayEquals(Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)), file);
        }
        assertEquals(created.owner().ownerKey(), recovered.ownerKey());
        assertArrayEquals(
                created.owner().viewerKey().publicKey().publicKey(),
                recovered.viewerKey().publicKey().publicKey());
    }

    @Test
    void init_twice_differentOwners() {
        OwnerDirectory a =
                OwnerDirectory.init(dir.resolve("a"), new SecureRandom()).owner();
        OwnerDirectory b =
                OwnerDirectory.init(dir.resolve("b"), new SecureRandom()).owner();
        assertFalse(a.ownerKey().equals(b.ownerKey()));
    }

    @Test
    void init_filesAndModes() throws Exception {
        Path owner = dir.resolve("owner");
        OwnerDirectory.init(owner, new SecureRandom());

        assertEquals("rwx------", mode(owner));
        assertEquals("rw-------", mode(owner.resolve(OwnerDirectory.SECRET_FILE)));
        assertEquals("rw-r--r--", mode(owner.resolve(OwnerDirectory.PUBLIC_FILE)));
        for (String sub : List.of(OwnerDirectory.VIEWERS, OwnerDirectory.DEVICES, OwnerDirectory.LISTS)) {
            assertEquals("rwx------", mode(owner.resolve(sub)), sub);
        }
        List<String> secret = Files.readAllLines(owner.resolve(OwnerDirectory.SECRET_FILE));
        assertEquals(OwnerDirectory.SECRET_MAGIC, secret.get(0));
        assertTrue(secret.get(1).matches("key: [A-Za-z0-9+/]{43}="), "one key line of 32 bytes in base64");
        try (Stream<Path> files = Files.list(owner)) {
            assertEquals(5, files.count(), "owner.secret, owner.pub, viewers, devices, lists");
        }
    }

    @Test
    void init_nonEmptyDirectory_refusedAndNothingChanged() throws Exception {
        Path owner = Files.createDirectories(dir.resolve("owner"));
        Files.writeString(owner.resolve("notes.txt"), "mine");

        IdentityException e =
                assertThrows(IdentityException.class, () -> OwnerDirectory.init(owner, new SecureRandom()));

        assertTrue(e.getMessage().contains(owner + " is not empty (it holds notes.txt)"), e.getMessage());
        try (Stream<Path> files = Files.list(owner)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void init_existingOwner_refused() {
        Path owner = dir.resolve("owner");
        OwnerDirectory.init(owner, new SecureRandom());
        assertThrows(IdentityException.class, () -> OwnerDirectory.init(owner, new SecureRandom()));
        assertThrows(
                IdentityException.class,
                () -> OwnerDirectory.recover(
                        owner, OwnerSecret.fromBytes(new byte[32]).phrase()));
    }

    @Test
    void init_emptyExistingDirectory_takenAndMadePrivate() throws Exception {
        Path owner = Files.createDirectories(dir.resolve("owner"));
        Files.setPosixFilePermissions(owner, PosixFilePermissions.fromString("rwxr-xr-x"));
        OwnerDirectory.init(owner, new SecureRandom());
        assertEquals("rwx------", mode(owner));
    }

    @Test
    void recover_badPhrase_refusedBeforeAnythingIsWritten() {
        Path owner = dir.resolve("owner");
        RecoveryPhraseException e =
                assertThrows(RecoveryPhraseException.class, () -> OwnerDirectory.recover(owner, "abandon ".repeat(24)));
        assertEquals(RecoveryPhraseException.Problem.CHECKSUM, e.problem());
        assertFalse(Files.exists(owner));
    }

    @Test
    void load_afterInit_sameKeys() {
        Path owner = dir.resolve("owner");
        OwnerDirectory created = OwnerDirectory.init(owner, new SecureRandom()).owner();
        OwnerDirectory loaded = OwnerDirectory.load(owner);
        assertEquals(created.ownerKey(), loaded.ownerKey());
        // Both of the owner's viewer keys open clips, whichever of them the lists name.
        assertEquals(
                List.of(Kem.X25519, Kem.X_WING),
                loaded.recipientKeys().stream().map(RecipientKeyPair::kem).toList());
        assertEquals(Kem.X25519, loaded.listedKem());
    }

    @Test
    void initPq_listsNameTheXWingKey_ownerPubSaysSo_loadKeepsIt() throws Exception {
        Path owner = dir.resolve("owner");
        OwnerDirectory created =
                OwnerDirectory.init(owner, new SecureRandom(), Kem.X_WING).owner();

        assertEquals(Kem.X_WING, created.viewerKey().kem());
        assertTrue(Files.readString(owner.resolve(OwnerDirectory.PUBLIC_FILE)).contains("\nviewer-kem: x-wing\n"));
        OwnerDirectory loaded = OwnerDirectory.load(owner);
        assertEquals(Kem.X_WING, loaded.listedKem());
        assertArrayEquals(
                created.viewerKey().publicKey().publicKey(),
                loaded.viewerKey().publicKey().publicKey());
        List<RecipientPublicKey> recipients = new RecipientSet(loaded).recipients();
        assertEquals(Kem.X_WING, recipients.get(0).kemType());
        assertEquals("post-quantum: yes (every recipient is x-wing)", RecipientSet.postQuantumSummary(recipients));
    }

    @Test
    void xWingViewerKey_isTheHkdfOfTheSecret_asFormatSection11Says() throws Exception {
        byte[] s = new byte[32];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) i;
        }
        OwnerSecret secret = OwnerSecret.fromBytes(s);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(
                new HKDFParameters(s, null, "doorbell/v3/owner-viewer-key-xwing".getBytes(StandardCharsets.US_ASCII)));
        byte[] expected = new byte[32];
        hkdf.generateBytes(expected, 0, 32);
        assertArrayEquals(expected, secret.xWingViewerKeySeed());
        assertFalse(Arrays.equals(secret.viewerKeyMaterial(), secret.xWingViewerKeySeed()));
    }

    @Test
    void recoverPq_fromThePhraseAlone_writesWhatInitPqWrote_andSwitchingBackAndForthKeepsLoading() throws Exception {
        Path first = dir.resolve("owner");
        OwnerDirectory.Created created = OwnerDirectory.init(first, new SecureRandom(), Kem.X_WING);
        Path second = dir.resolve("recovered");
        OwnerDirectory.recover(second, created.phrase(), Kem.X_WING);
        for (String file : List.of(
                OwnerDirectory.SECRET_FILE,
                OwnerDirectory.PUBLIC_FILE,
                "viewers/" + OwnerDirectory.OWNER_VIEWER + ".pub")) {
            assertArrayEquals(Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)), file);
        }

        Path third = dir.resolve("recovered-classic");
        OwnerDirectory classic = OwnerDirectory.recover(third, created.phrase());
        assertEquals(Kem.X25519, OwnerDirectory.load(third).listedKem());
        assertTrue(classic.useListedKem(Kem.X_WING));
        assertFalse(classic.useListedKem(Kem.X_WING));
        assertArrayEquals(
                Files.readAllBytes(first.resolve(OwnerDirectory.PUBLIC_FILE)),
                Files.readAllBytes(third.resolve(OwnerDirectory.PUBLIC_FILE)));
        assertEquals(Kem.X_WING, OwnerDirectory.load(third).listedKem());
    }

    @Test
    void load_secretReadableByOthers_refusedNamingTheFileAndTheFix() throws Exception {
        Path owner = dir.resolve("owner");
        OwnerDirectory.init(owner, new SecureRandom());
        Path secret = owner.resolve(OwnerDirectory.SECRET_FILE);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));

        IdentityException e = assertThrows(IdentityException.class, () -> OwnerDirectory.load(owner));

        assertTrue(e.getMessage().contains("chmod 600 " + secret), e.getMessage());
    }

    @Test
    void load_publicFileOfAnotherOwner_refused() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        OwnerDirectory.init(a, new SecureRandom());
        OwnerDirectory.init(b, new SecureRandom());
        Files.copy(
                b.resolve(OwnerDirectory.PUBLIC_FILE),
                a.resolve(OwnerDirectory.PUBLIC_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        IdentityException e = assertThrows(IdentityException.class, () -> OwnerDirectory.load(a));

        assertTrue(e.getMessage().contains("does not hold the public keys of"), e.getMessage());
    }

    @Test
    void load_notAnOwnerDirectory_saysHowToMakeOne() throws Exception {
        IdentityException missing =
                assertThrows(IdentityException.class, () -> OwnerDirectory.load(dir.resolve("none")));
        assertTrue(missing.getMessage().contains("doorbell owner init --out"), missing.getMessage());
        IdentityException empty = assertThrows(IdentityException.class, () -> OwnerDirectory.load(dir));
        assertTrue(empty.getMessage().contains("has no owner.secret"), empty.getMessage());
    }

    @Test
    void created_toString_neverShowsThePhrase() {
        OwnerDirectory.Created created = OwnerDirectory.init(dir.resolve("owner"), new SecureRandom());
        String text = created.toString() + created.owner();
        for (String word : created.phrase().split(" ")) {
            assertFalse(text.contains(" " + word + " "), text);
        }
        assertEquals(24, created.phrase().split(" ").length);
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
