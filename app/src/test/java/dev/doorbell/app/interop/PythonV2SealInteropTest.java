package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.OpenedFrame;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.seal.v2.ClipSealerV2;
import dev.doorbell.seal.v2.DeviceKeyCertificates;
import dev.doorbell.seal.v2.DeviceSigner;
import dev.doorbell.seal.v2.Identity;
import dev.doorbell.seal.v2.KeyFiles;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.RecipientLists;
import dev.doorbell.seal.v2.Shares;
import dev.doorbell.seal.v2.SigningKey;
import dev.doorbell.uplink.cli.ServeCommand;
import dev.doorbell.uplink.cli.UplinkCli;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Format v2 between Python and Java at the level of the format library (seal.v2) and the real uplink, without the
 * owner's and the device's commands: the owner, its viewers and the paired device's files are made here with seal.v2,
 * exactly the files of docs/FORMAT.md §13. Python's device uploads v2 clips through the real uplink and Java's
 * ClipOpenerV2 opens them; a list published to the uplink reaches the Python device; clips sealed by Java's
 * ClipSealerV2 and stored in a real directory store open in Python with Java-written key files; shares made by
 * either open in the other.
 */
class PythonV2SealInteropTest {
    private static final Duration PYTHON_TIMEOUT = Duration.ofSeconds(90);
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private FleetLayout fleet;
    private String deviceId;
    private Path deviceDir;
    private SigningKey owner;
    private RecipientKeyPair ownerViewer;
    private RecipientKeyPair alice;
    private SigningKey deviceKey;
    private byte[] certificate;
    private byte[] ownerSecret;

    @BeforeAll
    static void pythonRuntime() throws Exception {
        PythonClient.requireRuntime();
    }

    @Test
    void pythonDevice_throughRealUplink_javaOpenerV2OpensOkAsOwnerAndViewer() throws Exception {
        pairWithJavaFiles();
        Path storeDir = dir.resolve("store");
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = uplink(store, storeDir)) {
            int port = uplink.start().getPort();
            PythonClient.Result upload = pythonUpload(port, 500, 2);
            assertEquals(0, upload.exitCode(), upload.output());
            uplink.stop(Duration.ofSeconds(5));
        }
        List<StoredClip> clips = StoreDirectoryReader.read(storeDir).clips();
        assertEquals(2, clips.size());
        for (Identity identity : List.of(ownerIdentity(), Identity.of(owner.publicKey(), List.of(alice)))) {
            for (StoredClip clip : clips) {
                ClipVerdict verdict =
                        new ClipOpenerV2(identity).open(deviceId, clip.clipId(), clip.header(), clip.frames());
                assertTrue(verdict.isOk(), clip.clipId() + ": " + verdict.summary());
                assertEquals(12, verdict.frames().size());
            }
        }
    }

    @Test
    void listPublishedToRealUplink_pythonDeviceAcceptsIt_nextClipClosedToTheRemovedViewer() throws Exception {
        pairWithJavaFiles();
        byte[] withoutAlice =
                RecipientLists.sign(owner, RecipientLists.list(deviceId, 2, 2, List.of(ownerViewer.publicKey())));
        Path listFile = dir.resolve(deviceId + ".list");
        Files.write(listFile, withoutAlice);
        Path storeDir = dir.resolve("store");
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = uplink(store, storeDir)) {
            int port = uplink.start().getPort();
            PythonClient.Result before = pythonUpload(port, 600, 1);
            assertEquals(0, before.exitCode(), before.output());
            assertEquals(0, publish(storeDir, listFile));
            PythonClient.Result after = pythonUpload(port, 601, 1, "--await-list-update");
            assertEquals(0, after.exitCode(), after.output());
            assertTrue(after.output().contains("recipient list version 2: ACCEPTED"), after.output());
            assertTrue(after.output().contains("format v2, recipient list version 2"), after.output());
            uplink.stop(Duration.ofSeconds(5));
        }
        assertArrayEquals(withoutAlice, Files.readAllBytes(deviceDir.resolve("recipients.list")));
        List<StoredClip> clips = StoreDirectoryReader.read(storeDir).clips();
        assertEquals(2, clips.size());
        ClipOpenerV2 asAlice = new ClipOpenerV2(Identity.of(owner.publicKey(), List.of(alice)));
        ClipOpenerV2 asOwner = new ClipOpenerV2(ownerIdentity());
        for (StoredClip clip : clips) {
            ClipVerdict forAlice = asAlice.open(deviceId, clip.clipId(), clip.header(), clip.frames());
            if (clip.clipId() == 600) {
                assertTrue(forAlice.isOk(), "clip 600 was sealed with list 1: " + forAlice.summary());
            } else {
                assertEquals("not a recipient of this clip", forAlice.keyword(), forAlice.summary());
            }
            ClipVerdict forOwner = asOwner.open(deviceId, clip.clipId(), clip.header(), clip.frames());
            assertTrue(forOwner.isOk(), forOwner.summary());
        }
    }

    @Test
    void ghostViewerListPublished_pythonDeviceRefusesIt_andKeepsItsList() throws Exception {
        pairWithJavaFiles();
        SigningKey uplinkOperator = SigningKey.generate(RANDOM);
        RecipientKeyPair ghost = RecipientKeyPair.generate("ghost", RANDOM);
        byte[] forged = RecipientLists.sign(
                uplinkOperator,
                RecipientLists.list(
                        deviceId, 9, 9, List.of(ownerViewer.publicKey(), alice.publicKey(), ghost.publicKey())));
        Path listFile = dir.resolve(deviceId + ".list");
        Files.write(listFile, forged);
        byte[] before = Files.readAllBytes(deviceDir.resolve("recipients.list"));
        Path storeDir = dir.resolve("store");
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = uplink(store, storeDir)) {
            int port = uplink.start().getPort();
            assertEquals(0, publish(storeDir, listFile));
            PythonClient.Result upload = pythonUpload(port, 700, 2, "--await-list-update");
            assertEquals(0, upload.exitCode(), upload.output());
            assertTrue(upload.output().contains("recipient list version 9: REFUSED_SIGNATURE"), upload.output());
            uplink.stop(Duration.ofSeconds(5));
        }
        assertArrayEquals(before, Files.readAllBytes(deviceDir.resolve("recipients.list")));
        ClipOpenerV2 asGhost = new ClipOpenerV2(Identity.of(owner.publicKey(), List.of(ghost)));
        for (StoredClip clip : StoreDirectoryReader.read(storeDir).clips()) {
            assertEquals(
                    "not a recipient of this clip",
                    asGhost.open(deviceId, clip.clipId(), clip.header(), clip.frames())
                            .keyword());
        }
    }

    @Test
    void javaSealedClipsInRealStore_pythonOpensOkWithJavaWrittenFiles_andSharesCrossBothWays() throws Exception {
        pairWithJavaFiles();
        Path storeDir = dir.resolve("store");
        List<byte[]> plaintexts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] frame = new byte[300 + 700 * i];
            RANDOM.nextBytes(frame);
            plaintexts.add(frame);
        }
        RecipientList list = RecipientLists.verify(
                owner.publicKey(), deviceId, 0, Files.readAllBytes(deviceDir.resolve("recipients.list")));
        DeviceSigner signer = new DeviceSigner(deviceId, deviceKey, certificate);
        List<byte[]> headers = new ArrayList<>();
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults())) {
            for (long clipId = 800; clipId < 802; clipId++) {
                ClipSealerV2 sealer = ClipSealerV2.start(
                        signer,
                        list,
                        new ClipParams(deviceId, clipId, Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 160, 120, 15, 1, 0),
                        RANDOM);
                headers.add(sealer.headerBytes());
                store.openClip(deviceId, clipId, sealer.headerBytes()).durable().get(10, TimeUnit.SECONDS);
                for (int i = 0; i < plaintexts.size(); i++) {
                    SealedFrame f = sealer.seal(i * 66_000L, plaintexts.get(i), i == plaintexts.size() - 1);
                    store.appendFrame(deviceId, clipId, f.seq(), f.last(), f.meta(), f.sealed())
                            .durable()
                            .get(10, TimeUnit.SECONDS);
                }
                store.closeClip(deviceId, clipId, plaintexts.size()).durable().get(10, TimeUnit.SECONDS);
            }
        }
        Path aliceDir = dir.resolve("alice");
        Files.createDirectories(aliceDir);
        KeyFiles.writeViewerKey(aliceDir.resolve("viewer.key"), alice);
        KeyFiles.writeOwnerPublic(aliceDir.resolve("owner.pub"), owner.publicKey(), ownerViewer.publicKey());
        Path opened = dir.resolve("py-opened");
        PythonClient.Result open = pythonOpen(storeDir, opened, "--identity", aliceDir.toString());
        assertEquals(0, open.exitCode(), open.output());
        for (long clipId = 800; clipId < 802; clipId++) {
            for (int i = 0; i < plaintexts.size(); i++) {
                Path frame = opened.resolve(deviceId)
                        .resolve(String.format("%016x", clipId))
                        .resolve(String.format("%06d.jpg", i));
                assertArrayEquals(plaintexts.get(i), Files.readAllBytes(frame), frame.toString());
            }
        }

        RecipientKeyPair police = RecipientKeyPair.generate("police", RANDOM);
        Path policeDir = dir.resolve("police");
        Files.createDirectories(policeDir);
        KeyFiles.writeViewerKey(policeDir.resolve("viewer.key"), police);
        KeyFiles.writeViewerPublic(policeDir.resolve("viewer.pub"), police.publicKey());
        byte[] javaShare =
                Shares.issue(owner, ownerIdentity(), deviceId, 801, headers.get(1), police.publicKey(), 1, RANDOM);
        Path javaShareFile = dir.resolve("java.share");
        Files.writeString(
                javaShareFile,
                "doorbell-share v2\ndevice: " + deviceId + "\nclip: " + String.format("%016x", 801) + "\nshare: "
                        + Base64.getEncoder().encodeToString(javaShare) + "\n",
                StandardCharsets.UTF_8);
        PythonClient.Result shared = pythonOpen(
                storeDir,
                dir.resolve("py-share"),
                "--share",
                javaShareFile.toString(),
                "--identity",
                policeDir.toString());
        assertEquals(0, shared.exitCode(), shared.output());
        assertTrue(shared.output().contains(String.format("%016x OK (5 frames)", 801)), shared.output());
        assertTrue(!shared.output().contains(String.format("%016x", 800)), shared.output());

        Path ownerDir = dir.resolve("owner");
        Path pyShareFile = dir.resolve("py.share");
        writeOwnerDirectoryForPython(ownerDir);
        PythonClient.Result made = PythonClient.doorbellPy(
                List.of(
                        "share",
                        "--owner",
                        ownerDir.toString(),
                        "--store",
                        storeDir.toString(),
                        "--clip",
                        deviceId + "/" + String.format("%x", 800),
                        "--to",
                        policeDir.resolve("viewer.pub").toString(),
                        "--out",
                        pyShareFile.toString()),
                PYTHON_TIMEOUT);
        assertEquals(0, made.exitCode(), made.output());
        String shareLine = Files.readAllLines(pyShareFile, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("share: "))
                .findFirst()
                .orElseThrow();
        byte[] pyShare = Base64.getDecoder().decode(shareLine.substring("share: ".length()));
        ClipVerdict verdict = ClipOpenerV2.forShare(pyShare, police)
                .open(deviceId, 800, headers.get(0), readClip(storeDir, 800).frames());
        assertTrue(verdict.isOk(), verdict.summary());
        assertEquals(
                plaintexts.stream().map(p -> p.length).toList(),
                verdict.frames().stream()
                        .map(OpenedFrame::plaintext)
                        .map(p -> p.length)
                        .toList());
    }

    /**
     * The owner (its signing key and its own viewer key derived from a random secret as docs/FORMAT.md §11 says, so
     * that Python can use the owner's directory too), a viewer "alice", and the device's files of pairing, written with
     * seal.v2 into a provisioned device directory.
     */
    private void pairWithJavaFiles() throws Exception {
        fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(RANDOM, Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 1), (done, total) -> {});
        deviceId = Files.readAllLines(fleet.fleetList(), StandardCharsets.UTF_8).get(0);
        deviceDir = fleet.device(deviceId);
        ownerSecret = new byte[32];
        RANDOM.nextBytes(ownerSecret);
        owner = SigningKey.fromSeed(hkdf32(ownerSecret, "doorbell/v2/owner-signing-key"));
        ownerViewer = RecipientKeyPair.derive("owner", hkdf32(ownerSecret, "doorbell/v2/owner-viewer-key"));
        alice = RecipientKeyPair.generate("alice", RANDOM);
        deviceKey = SigningKey.generate(RANDOM);
        certificate = DeviceKeyCertificates.issue(owner, deviceId, deviceKey.publicKey(), 1);
        KeyFiles.writeDeviceSigningKey(deviceDir.resolve("signing.key"), deviceId, deviceKey);
        KeyFiles.writeOwnerPublic(deviceDir.resolve("owner.pub"), owner.publicKey(), ownerViewer.publicKey());
        Files.write(deviceDir.resolve("device-key.cert"), certificate);
        Files.write(
                deviceDir.resolve("recipients.list"),
                RecipientLists.sign(
                        owner,
                        RecipientLists.list(deviceId, 1, 1, List.of(ownerViewer.publicKey(), alice.publicKey()))));
    }

    /** HKDF-SHA256 (RFC 5869) with no salt and L = 32: one HMAC to extract, one block of expand. */
    private static byte[] hkdf32(byte[] ikm, String info) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info.getBytes(StandardCharsets.US_ASCII));
        return mac.doFinal(new byte[] {1});
    }

    private Identity ownerIdentity() {
        return Identity.of(owner.publicKey(), Map.of(deviceId, deviceKey.publicKey()), List.of(ownerViewer));
    }

    /** The owner's directory as FORMAT.md §13 lays it out, for the Python share command (which derives its keys). */
    private void writeOwnerDirectoryForPython(Path ownerDir) throws Exception {
        Files.createDirectories(ownerDir.resolve("devices"));
        Files.writeString(
                ownerDir.resolve("owner.secret"),
                "doorbell-owner-secret v2\nkey: " + Base64.getEncoder().encodeToString(ownerSecret) + "\n",
                StandardCharsets.UTF_8);
        KeyFiles.writeOwnerPublic(ownerDir.resolve("owner.pub"), owner.publicKey(), ownerViewer.publicKey());
        Files.write(ownerDir.resolve("devices").resolve(deviceId + ".cert"), certificate);
    }

    private static StoredClip readClip(Path storeDir, long clipId) throws Exception {
        return StoreDirectoryReader.read(storeDir).clips().stream()
                .filter(c -> c.clipId() == clipId)
                .findFirst()
                .orElseThrow();
    }

    /** The real uplink on loopback; it relays the recipient lists published under {@code storeDir}. */
    private UplinkServer uplink(DirectoryStore store, Path storeDir) {
        return new UplinkServer(
                UplinkConfig.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .tlsDirectory(fleet.uplinkDir())
                        .dataDirectory(storeDir)
                        .build(),
                store);
    }

    /** {@code scripts/uplink publish-recipients --data STORE FILE}, in this JVM; the exit status. */
    private static int publish(Path storeDir, Path listFile) {
        CommandLine cli =
                UplinkCli.commandLine(new ServeCommand(data -> DirectoryStore.open(data, StoreOptions.defaults())));
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        return cli.execute("publish-recipients", "--data", storeDir.toString(), listFile.toString());
    }

    private PythonClient.Result pythonUpload(int port, long firstClip, int clips, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "upload",
                "--device-dir",
                deviceDir.toString(),
                "--uplink",
                "127.0.0.1:" + port,
                "--synthetic",
                "12",
                "--clip-id",
                Long.toString(firstClip),
                "--clips",
                Integer.toString(clips),
                // Format v2 is what this test is about: the Python device seals v3 unless told otherwise.
                "--format",
                "2",
                "--timeout",
                "30"));
        args.addAll(List.of(more));
        return PythonClient.doorbellPy(args, PYTHON_TIMEOUT);
    }

    private static PythonClient.Result pythonOpen(Path storeDir, Path out, String... identity) throws Exception {
        List<String> args = new ArrayList<>(List.of("open", "--store", storeDir.toString(), "--out", out.toString()));
        args.addAll(List.of(identity));
        return PythonClient.doorbellPy(args, PYTHON_TIMEOUT);
    }
}
