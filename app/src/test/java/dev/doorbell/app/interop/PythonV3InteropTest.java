package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.OpenedFrame;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.v2.ClipIds;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.seal.v2.ClipSealerV3;
import dev.doorbell.seal.v2.DeviceKeyCertificates;
import dev.doorbell.seal.v2.DeviceSigner;
import dev.doorbell.seal.v2.FrameFacts;
import dev.doorbell.seal.v2.Identity;
import dev.doorbell.seal.v2.KeyFiles;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.RecipientLists;
import dev.doorbell.seal.v2.SigningKey;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format v3 between Python and Java at the level of the format library: clips sealed by Java's ClipSealerV3 with a
 * chain of links, stored in a real directory store, open in Python's {@code open} with their images, and the Python
 * chain check reports a deleted middle clip as MISSING; clips sealed by the Python device (its chain state file, its
 * padding, its FrameInfo) open in Java's ClipOpenerV2 with the same images, facts and clip info.
 */
class PythonV3InteropTest {
    private static final Duration PYTHON_TIMEOUT = Duration.ofSeconds(90);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int FRAMES = 5;

    @TempDir
    Path dir;

    private String deviceId;
    private Path deviceDir;
    private SigningKey owner;
    private RecipientKeyPair ownerViewer;
    private RecipientKeyPair alice;
    private SigningKey deviceKey;
    private byte[] certificate;

    @BeforeAll
    static void pythonRuntime() throws Exception {
        PythonClient.requireRuntime();
    }

    /** One clip as Java sealed it: its id, header bytes and images. */
    private record JavaClip(long clipId, byte[] header, List<SealedFrame> frames, List<byte[]> images) {}

    @Test
    void javaSealedV3Chain_pythonOpensImages_andReportsADeletedMiddleClipMissing() throws Exception {
        pairWithJavaFiles();
        RecipientList list = RecipientLists.verify(
                owner.publicKey(), deviceId, 0, Files.readAllBytes(deviceDir.resolve("recipients.list")));
        DeviceSigner signer = new DeviceSigner(deviceId, deviceKey, certificate);
        List<JavaClip> clips = new ArrayList<>();
        int[] pads = {0, 4096, 64};
        for (int c = 0; c < 3; c++) {
            ChainLink link = c == 0
                    ? ChainLink.newBuilder().setPosition(1).build()
                    : ChainLink.newBuilder()
                            .setPosition(c + 1)
                            .setPrevClipId(clips.get(c - 1).clipId())
                            .setPrevHeaderSha256(
                                    ByteString.copyFrom(sha256(clips.get(c - 1).header())))
                            .setPrevAcknowledgedFrames(FRAMES)
                            .setPrevFinalAcknowledged(true)
                            .build();
            long clipId = ClipIds.random(RANDOM);
            ClipSealerV3 sealer = ClipSealerV3.start(
                    signer,
                    list,
                    new ClipParams(deviceId, clipId, Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 160, 120, 15, 1, 0),
                    link,
                    List.of(1L),
                    pads[c],
                    RANDOM);
            List<SealedFrame> frames = new ArrayList<>();
            List<byte[]> images = new ArrayList<>();
            for (int i = 0; i < FRAMES; i++) {
                byte[] image = new byte[i == 2 ? 0 : 300 + 700 * i];
                RANDOM.nextBytes(image);
                images.add(image);
                frames.add(sealer.seal(new FrameFacts(i * 66_000L, 10 * i, i == 1), image, i == FRAMES - 1));
            }
            if (pads[c] > 0) {
                for (SealedFrame f : frames) {
                    assertEquals(0, f.sealed().length % pads[c], "Java pads frame " + f.seq() + " to " + pads[c]);
                }
            }
            clips.add(new JavaClip(clipId, sealer.headerBytes(), frames, images));
        }
        Path aliceDir = dir.resolve("alice");
        Files.createDirectories(aliceDir);
        KeyFiles.writeViewerKey(aliceDir.resolve("viewer.key"), alice);
        KeyFiles.writeOwnerPublic(aliceDir.resolve("owner.pub"), owner.publicKey(), ownerViewer.publicKey());

        Path whole = store("whole", clips);
        Path opened = dir.resolve("py-opened");
        PythonClient.Result open = pythonOpen(whole, opened, aliceDir);
        assertEquals(0, open.exitCode(), open.output());
        for (JavaClip clip : clips) {
            assertTrue(
                    open.output().contains(String.format("%s %016x OK (%d frames)", deviceId, clip.clipId(), FRAMES)),
                    open.output());
            for (int i = 0; i < FRAMES; i++) {
                Path frame = opened.resolve(deviceId)
                        .resolve(String.format("%016x", clip.clipId()))
                        .resolve(String.format("%06d.jpg", i));
                assertArrayEquals(clip.images().get(i), Files.readAllBytes(frame), frame.toString());
            }
        }
        assertTrue(
                open.output()
                        .contains(String.format(
                                "device %s: HEAD clip %016x at position 3; clips started after it, if any, have not"
                                        + " arrived",
                                deviceId, clips.get(2).clipId())),
                open.output());

        Path middleGone = store("middle-gone", List.of(clips.get(0), clips.get(2)));
        PythonClient.Result gone = pythonOpen(middleGone, dir.resolve("py-gone"), aliceDir);
        assertEquals(1, gone.exitCode(), gone.output());
        assertTrue(
                gone.output()
                        .contains(String.format(
                                "device %s: MISSING 1 clip(s) between %016x (position 1) and %016x (position 3): %016x"
                                        + " names its predecessor %016x, of which the uplink had acknowledged %d"
                                        + " frames including its final frame",
                                deviceId,
                                clips.get(0).clipId(),
                                clips.get(2).clipId(),
                                clips.get(2).clipId(),
                                clips.get(1).clipId(),
                                FRAMES)),
                gone.output());
    }

    @Test
    void pythonSealedV3Clips_javaOpenerV2OpensImagesFactsAndClipInfo() throws Exception {
        pairWithJavaFiles();
        for (int pad : new int[] {0, 4096}) {
            Path out = dir.resolve("py-sealed-" + pad);
            PythonClient.Result sealed = PythonClient.run(
                    List.of(
                            PythonClient.PYTHON,
                            PythonClient.dir()
                                    .resolve("tests")
                                    .resolve("seal_v3_clips.py")
                                    .toString(),
                            deviceDir.toString(),
                            out.toString(),
                            "2",
                            Integer.toString(FRAMES),
                            Integer.toString(pad)),
                    PYTHON_TIMEOUT);
            assertEquals(0, sealed.exitCode(), sealed.output());
            List<String> order = Files.readAllLines(out.resolve("clips"), StandardCharsets.US_ASCII);
            assertEquals(2, order.size());
            byte[] previousHeader = null;
            for (Identity identity : List.of(ownerIdentity(), Identity.of(owner.publicKey(), List.of(alice)))) {
                for (String hex : order) {
                    Path clipDir = out.resolve(hex);
                    long clipId = Long.parseUnsignedLong(hex, 16);
                    assertTrue(clipId > 0, "63-bit random clip ids: " + hex);
                    byte[] header = Files.readAllBytes(clipDir.resolve("header"));
                    List<StoredFrameBytes> frames = new ArrayList<>();
                    for (int i = 0; i < FRAMES; i++) {
                        byte[] bytes = Files.readAllBytes(clipDir.resolve(String.format("%06d.sealed", i)));
                        if (pad > 0) {
                            assertEquals(0, bytes.length % pad, hex + " frame " + i);
                        }
                        frames.add(new StoredFrameBytes(i, i == FRAMES - 1, new byte[0], bytes));
                    }
                    ClipVerdict verdict = new ClipOpenerV2(identity).open(deviceId, clipId, header, frames);
                    assertTrue(verdict.isOk(), hex + ": " + verdict.summary());
                    ClipInfo info = verdict.info().orElseThrow();
                    assertEquals(Trigger.TRIGGER_RING, info.getTrigger());
                    assertEquals(pad, info.getPadTo());
                    assertEquals(1, info.getRingUnixMsCount());
                    List<String> facts = Files.readAllLines(clipDir.resolve("facts"), StandardCharsets.US_ASCII);
                    for (int i = 0; i < FRAMES; i++) {
                        OpenedFrame frame = verdict.frames().get(i);
                        assertArrayEquals(
                                Files.readAllBytes(clipDir.resolve(String.format("%06d.image", i))), frame.image());
                        assertEquals(
                                facts.get(i),
                                i + " " + frame.ptsMicros() + " " + frame.motionPermille() + " "
                                        + (frame.ringPressed() ? 1 : 0));
                    }
                    ChainLink link = verdict.header().getChain();
                    if (previousHeader == null) {
                        assertEquals(ChainLink.newBuilder().setPosition(1).build(), link);
                    } else {
                        assertEquals(2, link.getPosition());
                        assertArrayEquals(
                                sha256(previousHeader),
                                link.getPrevHeaderSha256().toByteArray());
                        assertEquals(FRAMES, link.getPrevAcknowledgedFrames());
                        assertTrue(link.getPrevFinalAcknowledged());
                    }
                    previousHeader = header;
                }
                previousHeader = null;
            }
            Files.delete(deviceDir.resolve("chain.state"));
        }
    }

    private Path store(String name, List<JavaClip> clips) throws Exception {
        Path storeDir = dir.resolve(name);
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults())) {
            for (JavaClip clip : clips) {
                store.openClip(deviceId, clip.clipId(), clip.header()).durable().get(10, TimeUnit.SECONDS);
                for (SealedFrame f : clip.frames()) {
                    store.appendFrame(deviceId, clip.clipId(), f.seq(), f.last(), f.meta(), f.sealed())
                            .durable()
                            .get(10, TimeUnit.SECONDS);
                }
                store.closeClip(deviceId, clip.clipId(), FRAMES).durable().get(10, TimeUnit.SECONDS);
            }
        }
        return storeDir;
    }

    /**
     * The owner (signing key and own viewer key derived from a random secret as docs/FORMAT.md §11 says), a viewer
     * "alice", and the device's files of pairing, written with seal.v2 into a provisioned device directory.
     */
    private void pairWithJavaFiles() throws Exception {
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(RANDOM, Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 1), (done, total) -> {});
        deviceId = Files.readAllLines(fleet.fleetList(), StandardCharsets.UTF_8).get(0);
        deviceDir = fleet.device(deviceId);
        byte[] ownerSecret = new byte[32];
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

    private Identity ownerIdentity() {
        return Identity.of(owner.publicKey(), Map.of(deviceId, deviceKey.publicKey()), List.of(ownerViewer));
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

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    private static PythonClient.Result pythonOpen(Path storeDir, Path out, Path identity) throws Exception {
        return PythonClient.doorbellPy(
                List.of(
                        "open",
                        "--store",
                        storeDir.toString(),
                        "--identity",
                        identity.toString(),
                        "--out",
                        out.toString()),
                PYTHON_TIMEOUT);
    }
}
