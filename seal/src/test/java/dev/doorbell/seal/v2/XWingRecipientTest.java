package dev.doorbell.seal.v2;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.seal.testing.InsecureRecordingRandom;
import dev.doorbell.seal.testing.JsonFiles;
import dev.doorbell.seal.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** X-Wing recipients (kem 0x647a) beside X25519 ones: keys, key files, lists, sealing, opening and shares. */
class XWingRecipientTest {
    private final InsecureRecordingRandom random =
            new InsecureRecordingRandom(new InsecureDeterministicRandom("x-wing recipient test"));
    private final V2Fixture world = new V2Fixture(random);
    private final RecipientKeyPair carol = RecipientKeyPair.generate("carol", Kem.X_WING, random);

    @TempDir
    Path dir;

    @Test
    void generate_xWing_seedOf32BytesAndPublicKeyOf1216() {
        assertEquals(Kem.X_WING, carol.kem());
        assertEquals(32, carol.privateKey().length);
        assertEquals(1216, carol.publicKey().publicKey().length);
        assertEquals(RecipientPublicKey.KEM_X_WING, carol.publicKey().kem());
        RecipientKeyPair again = RecipientKeyPair.fromPrivate("carol", Kem.X_WING, carol.privateKey());
        assertEquals(carol.publicKey(), again.publicKey());
        assertTrue(carol.toString().contains("kem 0x647a"), carol.toString());
        assertThrows(
                IllegalArgumentException.class, () -> RecipientKeyPair.fromPrivate("carol", Kem.X_WING, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> RecipientPublicKey.xWing("carol", new byte[32]));
    }

    @Test
    void sealAndOpen_bothKemsInOneList_eachRecipientOpens_eseedErased() {
        RecipientList list = world.list(2, world.ownerViewer, carol, world.alice);
        random.clear();
        ClipSealerV2 sealer = ClipSealerV2.start(world.signer, list, V2Fixture.params(7), random);
        // k, prefix, then per recipient in list order its HPKE randomness: 32 (X25519), 64 (X-Wing eseed), 32.
        List<Integer> sizes = random.draws().stream().map(b -> b.length).toList();
        assertEquals(List.of(32, 7, 32, 64, 32), sizes);
        byte[] eseedArray = random.arrays().get(3);
        assertArrayEquals(new byte[64], eseedArray, "the eseed was not erased after the wrap");
        ClipHeader header = sealer.header();
        WrappedKey wrapped = header.getWrappedKeys(1);
        assertEquals(0x647a, wrapped.getKem());
        assertEquals(1120, wrapped.getEnc().size());
        assertEquals(48, wrapped.getCiphertext().size());
        assertArrayEquals(carol.keyId(), wrapped.getRecipientKeyId().toByteArray());
        SealedFrame f0 = sealer.seal(0, new byte[] {1, 2, 3}, false);
        SealedFrame f1 = sealer.seal(33_333, new byte[] {4}, true);
        for (RecipientKeyPair who : List.of(world.ownerViewer, carol, world.alice)) {
            ClipVerdict verdict =
                    new ClipOpenerV2(world.identityOf(who)).open(V2Fixture.DEVICE, 7, sealer.headerBytes(), f0, f1);
            assertEquals("OK 2 frames", verdict.summary(), who.name());
        }
        ClipVerdict bob =
                new ClipOpenerV2(world.identityOf(world.bob)).open(V2Fixture.DEVICE, 7, sealer.headerBytes(), f0, f1);
        assertEquals("not a recipient of this clip", bob.keyword());
    }

    @Test
    void open_xWingKeyOfAnotherSeedWithTheSameKeyId_keyUnwrapFailed() {
        RecipientList list = world.list(2, carol);
        ClipSealerV2 sealer = ClipSealerV2.start(world.signer, list, V2Fixture.params(8), random);
        // A header whose X-Wing enc was swapped for another encapsulation to the same key: the tag fails.
        ClipSealerV2 other = ClipSealerV2.start(world.signer, list, V2Fixture.params(9), random);
        byte[] swapped = V2Fixture.resigned(
                sealer.headerBytes(),
                world.deviceKey,
                h -> h.setWrappedKeys(
                        0,
                        h.getWrappedKeys(0).toBuilder()
                                .setEnc(other.header().getWrappedKeys(0).getEnc())));
        ClipVerdict verdict = new ClipOpenerV2(world.identityOf(carol)).open(V2Fixture.DEVICE, 8, swapped);
        assertEquals("key unwrap failed", verdict.keyword(), verdict.summary());
    }

    @Test
    void list_64XWingRecipients_accepted_andTheHeaderFitsTheUplinksMessageLimit() throws Exception {
        List<RecipientPublicKey> keys = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            keys.add(RecipientKeyPair.generate("pq-" + i, Kem.X_WING, random).publicKey());
        }
        RecipientList list = RecipientLists.list(V2Fixture.DEVICE, 2, 0, keys);
        byte[] signed = RecipientLists.sign(world.owner, list);
        RecipientLists.verify(world.owner.publicKey(), V2Fixture.DEVICE, 1, signed);
        // The uplink keeps published lists up to PublishedList.MAX_BYTES (128 KiB) and takes messages up to
        // 2 MiB + 4 KiB by default (docs/PROTOCOL.md); both sizes are stated in docs/FORMAT.md §12.
        assertTrue(signed.length < 128 * 1024, signed.length + " bytes");
        byte[] header = ClipSealerV2.start(world.signer, list, V2Fixture.params(10), random)
                .headerBytes();
        assertTrue(header.length < 80_000, header.length + " bytes");
        assertTrue(header.length > 64 * 1168, header.length + " bytes");
    }

    @Test
    void xWingKeyFailingMlKemsModulusCheck_refusedInListsAndKeyFiles_soNoDeviceStopsSealing() throws Exception {
        // 1216 bytes of 0xff: the right size, but its ML-KEM-768 coefficients are not below q = 3329 (FIPS 203 §7.2),
        // so no encapsulation to it exists. Accepted into a list, it would make every clip start fail.
        byte[] junk = new byte[1216];
        java.util.Arrays.fill(junk, (byte) 0xff);
        RecipientList list = world.list(2, world.ownerViewer).toBuilder()
                .addRecipients(dev.doorbell.proto.v1.Recipient.newBuilder()
                        .setName("mallory")
                        .setKem(RecipientPublicKey.KEM_X_WING)
                        .setPublicKey(com.google.protobuf.ByteString.copyFrom(junk)))
                .build();
        RecipientListRefused refused = assertThrows(
                RecipientListRefused.class,
                () -> RecipientLists.verify(
                        world.owner.publicKey(),
                        V2Fixture.DEVICE,
                        1,
                        dev.doorbell.proto.v1.SignedRecipientList.newBuilder()
                                .setList(list.toByteString())
                                .setSignature(com.google.protobuf.ByteString.copyFrom(
                                        world.owner.sign(Contexts.RECIPIENT_LIST, list.toByteArray())))
                                .build()
                                .toByteArray()));
        assertEquals(dev.doorbell.proto.v1.RecipientListResult.Status.REFUSED_MALFORMED, refused.status());
        assertTrue(refused.getMessage().contains("modulus check"), refused.getMessage());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RecipientPublicKey.xWing("mallory", junk));
        assertTrue(e.getMessage().contains("modulus check"), e.getMessage());
        Path pub = dir.resolve("viewer.pub");
        write(pub, "doorbell-viewer-public v2\nname: mallory\nkem: x-wing\nkey: " + b64(junk) + "\n");
        assertMessage(pub, assertThrows(KeyFileException.class, () -> KeyFiles.readViewerPublic(pub)), "modulus check");
        // Any valid key passes: the generated ones, and the draft's (XWingVectorsTest).
        for (int i = 0; i < 20; i++) {
            RecipientPublicKey ok =
                    RecipientKeyPair.generate("v" + i, Kem.X_WING, random).publicKey();
            assertEquals(ok, RecipientPublicKey.xWing("v" + i, ok.publicKey()));
        }
    }

    @Test
    void share_toAnXWingThirdParty_opensThatClip() throws Exception {
        ClipSealerV2 sealer = ClipSealerV2.start(world.signer, world.list, V2Fixture.params(11), random);
        SealedFrame f = sealer.seal(0, new byte[] {9}, true);
        byte[] share = Shares.issue(
                world.owner,
                world.identityOf(world.ownerViewer),
                V2Fixture.DEVICE,
                11,
                sealer.headerBytes(),
                carol.publicKey(),
                1,
                random);
        ClipVerdict verdict = ClipOpenerV2.forShare(share, carol).open(V2Fixture.DEVICE, 11, sealer.headerBytes(), f);
        assertEquals("OK 1 frames", verdict.summary());
    }

    @Test
    void keyFiles_xWingViewer_kemLineInBoth_roundTrip() throws Exception {
        Path key = dir.resolve("viewer.key");
        Path pub = dir.resolve("viewer.pub");
        KeyFiles.writeViewerKey(key, carol);
        KeyFiles.writeViewerPublic(pub, carol.publicKey());
        assertEquals(
                "doorbell-viewer-key v2\nname: carol\nkem: x-wing\nkey: " + b64(carol.privateKey()) + "\n",
                Files.readString(key));
        assertEquals(
                "doorbell-viewer-public v2\nname: carol\nkem: x-wing\nkey: "
                        + b64(carol.publicKey().publicKey()) + "\n",
                Files.readString(pub));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        RecipientKeyPair read = KeyFiles.readViewerKey(key);
        assertEquals(carol.publicKey(), read.publicKey());
        assertArrayEquals(carol.privateKey(), read.privateKey());
        assertEquals(carol.publicKey(), KeyFiles.readViewerPublic(pub));
    }

    @Test
    void keyFiles_x25519ViewerKeyWithoutKemLine_stillReads_andAnExplicitX25519LineToo() throws Exception {
        Path key = dir.resolve("viewer.key");
        write(key, "doorbell-viewer-key v2\nname: alice\nkey: " + b64(world.alice.privateKey()) + "\n");
        assertEquals(world.alice.publicKey(), KeyFiles.readViewerKey(key).publicKey());
        write(key, "doorbell-viewer-key v2\nkem: x25519\nname: alice\nkey: " + b64(world.alice.privateKey()) + "\n");
        assertEquals(world.alice.publicKey(), KeyFiles.readViewerKey(key).publicKey());
    }

    @Test
    void keyFiles_badKemOrSizes_refusedNamingTheFile() throws Exception {
        Path key = dir.resolve("viewer.key");
        write(key, "doorbell-viewer-key v2\nname: carol\nkem: kyber\nkey: " + b64(carol.privateKey()) + "\n");
        assertMessage(key, assertThrows(KeyFileException.class, () -> KeyFiles.readViewerKey(key)), "'kem'");
        write(
                key,
                "doorbell-viewer-key v2\nname: carol\nkem: x-wing\nkem: x-wing\nkey: " + b64(carol.privateKey())
                        + "\n");
        assertMessage(key, assertThrows(KeyFileException.class, () -> KeyFiles.readViewerKey(key)), "twice");
        Path pub = dir.resolve("viewer.pub");
        write(pub, "doorbell-viewer-public v2\nname: carol\nkem: x-wing\nkey: " + b64(new byte[32]) + "\n");
        assertMessage(
                pub,
                assertThrows(KeyFileException.class, () -> KeyFiles.readViewerPublic(pub)),
                "32 bytes, expected 1216");
        write(
                pub,
                "doorbell-viewer-public v2\nname: carol\nkem: x25519\nkey: "
                        + b64(carol.publicKey().publicKey()) + "\n");
        assertMessage(
                pub,
                assertThrows(KeyFileException.class, () -> KeyFiles.readViewerPublic(pub)),
                "1216 bytes, expected 32");
    }

    @Test
    void hpkeKeySchedule_givesRfc9180sOwnKeyAndNonce() throws Exception {
        // The independent key schedule the X-Wing vectors are checked with, checked itself on RFC 9180 A.1's suite
        // (kem 0x0020, HKDF-SHA256) with AES-256-GCM: the schedule is the same for every kem but for its suite id.
        int checked = 0;
        for (Object o : list(JsonFiles.read("vectors/rfc9180/hpke_rfc9180_x25519_sha256.json")
                .get("vectors"))) {
            Map<String, Object> v = map(o);
            if (((Number) v.get("mode")).intValue() != 0 || ((Number) v.get("aead_id")).intValue() != 2) {
                continue;
            }
            HpkeKeySchedule schedule = HpkeKeySchedule.of(0x0020, hex(v.get("shared_secret")), hex(v.get("info")));
            assertEquals(v.get("key"), TestData.hex(schedule.key()));
            assertEquals(v.get("base_nonce"), TestData.hex(schedule.baseNonce()));
            checked++;
        }
        assertEquals(1, checked);
    }

    private static void assertMessage(Path file, KeyFileException e, String part) {
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(part), e.getMessage());
    }

    private static void write(Path file, String text) throws Exception {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
