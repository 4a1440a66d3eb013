package dev.doorbell.seal.v2;

import static dev.doorbell.seal.testing.TestData.hex;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.FrameInfo;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.keys.internal.Hkdf;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.seal.testing.InsecureRecordingRandom;
import dev.doorbell.seal.testing.JsonFiles;
import dev.doorbell.seal.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes testdata/vectors/v3/seal_v3_vectors.json from {@link InsecureDeterministicRandom} (a fixed, public seed:
 * every key in the file is public knowledge): whole v3 clips with every draw and intermediate value (padded and
 * not, at chain positions 1, 2 and 4), clips changed to earn each verdict format v3 adds, and the padding rule as a
 * table. {@code V3VectorsTest} regenerates the file in memory, requires the stored one to be identical, and derives
 * every value again. Run after a deliberate format change:
 * {@code ./mvnw -pl seal -am test -Dtest=V3VectorsTest -Ddoorbell.regenerate=true}.
 */
final class V3VectorGenerator {
    static final String FILE = "vectors/v3/seal_v3_vectors.json";
    static final String DEVICE = "front-door";
    static final long PAIRED_AT = 1_764_900_000_000L;

    private final InsecureRecordingRandom rnd =
            new InsecureRecordingRandom(new InsecureDeterministicRandom("doorbell seal vectors v3"));
    private int tcId;

    private final SigningKey owner = SigningKey.generate(rnd);
    private final RecipientKeyPair ownerViewer = RecipientKeyPair.generate(RecipientPublicKey.OWNER, rnd);
    private final RecipientKeyPair alice = RecipientKeyPair.generate("alice", rnd);
    private final SigningKey deviceKey = SigningKey.generate(rnd);
    private final byte[] certificate = DeviceKeyCertificates.issue(owner, DEVICE, deviceKey.publicKey(), PAIRED_AT);

    public static void main(String[] args) throws Exception {
        Path out = args.length > 0 ? Paths.get(args[0]) : TestData.dir().resolve(FILE);
        Files.createDirectories(out.getParent());
        Files.writeString(out, JsonFiles.write(new V3VectorGenerator().generate()), StandardCharsets.UTF_8);
    }

    /** A clip as the generator sealed it: its vector, its header bytes and what crafts variants of it. */
    record Sealed(Map<String, Object> vector, byte[] header, long clipId, V3Craft craft) {}

    Map<String, Object> generate() {
        List<Object> clips = new ArrayList<>();
        Sealed first = sealedClip(
                "a ring clip at chain position 1, padded to 64: three frames to the owner and alice",
                Trigger.TRIGGER_RING,
                List.of(PAIRED_AT + 61_000, PAIRED_AT + 63_500),
                ChainLink.newBuilder().setPosition(1).build(),
                64,
                new int[] {0, 5, 100});
        clips.add(first.vector());
        ChainLink second = ChainLink.newBuilder()
                .setPosition(2)
                .setPrevClipId(first.clipId())
                .setPrevHeaderSha256(ByteString.copyFrom(ClipFormat.sha256(first.header())))
                .setPrevAcknowledgedFrames(3)
                .setPrevFinalAcknowledged(true)
                .build();
        Sealed unpadded = sealedClip(
                "a motion clip at position 2 naming the first, unpadded",
                Trigger.TRIGGER_MOTION,
                List.of(),
                second,
                0,
                new int[] {40, 7});
        clips.add(unpadded.vector());
        ChainLink fourth = ChainLink.newBuilder()
                .setPosition(4)
                .setPrevClipId(ClipIds.random(rnd))
                .setPrevHeaderSha256(ByteString.copyFrom(bytes(32)))
                .setPrevAcknowledgedFrames(0)
                .build();
        clips.add(sealedClip(
                        "a manual clip at position 4 whose predecessor had no frame acknowledged, padded to 4096",
                        Trigger.TRIGGER_MANUAL,
                        List.of(),
                        fourth,
                        4096,
                        new int[] {300})
                .vector());
        new V3VectorTampering(this, first, unpadded).addAll(clips);
        List<Object> groups = new ArrayList<>();
        groups.add(V2VectorGenerator.group("ClipTest", clips));
        groups.add(paddingGroup());
        Map<String, Object> file = new LinkedHashMap<>();
        file.put(
                "algorithm",
                "doorbell-v3-seal (format v2's Ed25519 header signature and HPKE DHKEM(X25519, HKDF-SHA256)/"
                        + "HKDF-SHA256/AES-256-GCM wrapping; HKDF-SHA256 OKM of 96 bytes: AES key, commitment, info"
                        + " key; sealed ClipInfo; AES-256-GCM STREAM frames carrying FrameInfo and padding)");
        file.put("schema", "doorbell_seal_v3_test_schema_v1: described in docs/FORMAT.md section 17; byte strings hex");
        file.put("numberOfTests", tcId);
        file.put(
                "header",
                List.of(
                        "Generated by V3VectorGenerator (seal test sources) from a fixed, public, INSECURE seed.",
                        "ClipTest: whole v3 clips with every draw and intermediate value; invalid ones give the"
                                + " expected verdict to the opener described.",
                        "PaddingTest: pad_to, FrameInfo length and image length -> sealed frame length, or refused."));
        file.put("testGroups", groups);
        return file;
    }

    private Sealed sealedClip(
            String comment, Trigger trigger, List<Long> rings, ChainLink chain, int padTo, int[] sizes) {
        long clipId = ClipIds.random(rnd);
        RecipientList list = recipientList();
        DeviceSigner signer = new DeviceSigner(DEVICE, deviceKey, certificate);
        ClipParams p = params(clipId, trigger);
        rnd.clear();
        ClipSealerV3 sealer = ClipSealerV3.start(signer, list, p, chain, rings, padTo, rnd);
        List<byte[]> draws = rnd.draws();
        byte[] k = draws.get(0);
        byte[] prefix = draws.get(1);
        byte[] headerBytes = sealer.headerBytes();
        ClipHeader header = sealer.header();
        byte[] okm = Hkdf.sha256(k, null, Contexts.clipKeyInfoV3(DEVICE, clipId), 96);
        Map<String, Object> t = test(comment, "valid");
        t.put("deviceId", DEVICE);
        t.put("clipId", clipId);
        t.put("ownerPublicKey", hex(owner.publicKey().bytes()));
        t.put("deviceSeed", hex(deviceKey.seed()));
        t.put("devicePublicKey", hex(deviceKey.publicKey().bytes()));
        t.put("deviceKeyCertificate", hex(certificate));
        t.put("signedList", hex(RecipientLists.sign(owner, list)));
        t.put("clipInfo", clipInfo(sealer.info()));
        t.put("chain", chain(chain));
        t.put("clipKey", hex(k));
        t.put("noncePrefix", hex(prefix));
        t.put("clipKeyInfo", hex(Contexts.clipKeyInfoV3(DEVICE, clipId)));
        t.put("aesKey", hex(Arrays.copyOfRange(okm, 0, 32)));
        t.put("commitment", hex(Arrays.copyOfRange(okm, 32, 64)));
        t.put("infoKey", hex(Arrays.copyOfRange(okm, 64, 96)));
        byte[] infoBytes = sealer.info().toByteArray();
        t.put("clipInfoBytes", hex(infoBytes));
        t.put(
                "clipInfoPlaintext",
                hex(V3Craft.prefixed(infoBytes.length, infoBytes, SealedClipInfo.plaintextLength(infoBytes.length))));
        t.put("clipInfoAad", hex(Contexts.clipInfoAad(DEVICE, clipId)));
        t.put("sealedInfo", hex(header.getSealedInfo().toByteArray()));
        t.put("wrapInfo", hex(Contexts.wrapInfo(DEVICE, clipId)));
        t.put("recipients", V2VectorGenerator.recipients(List.of(ownerViewer, alice), draws, header));
        byte[] inner = V2Fixture.inner(headerBytes).toByteArray();
        t.put("innerHeader", hex(inner));
        t.put("headerSignature", hex(deviceKey.sign(Contexts.CLIP_HEADER, inner)));
        t.put("header", hex(headerBytes));
        t.put("headerSha256", hex(ClipFormat.sha256(headerBytes)));
        List<Object> frames = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] image = bytes(sizes[i]);
            boolean last = i == sizes.length - 1;
            FrameFacts facts =
                    new FrameFacts(i * 66_666L, (i * 421 + 90) % 1001, trigger == Trigger.TRIGGER_RING && i == 1);
            SealedFrame f = sealer.seal(facts, image, last);
            byte[] frameInfo = FrameInfo.newBuilder()
                    .setPtsUs(facts.ptsMicros())
                    .setImageLength(image.length)
                    .setMotionPermille(facts.motionPermille())
                    .setRingPressed(facts.ringPressed())
                    .build()
                    .toByteArray();
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("seq", i);
            frame.put("last", last);
            frame.put("meta", hex(f.meta()));
            frame.put("ptsUs", facts.ptsMicros());
            frame.put("motionPermille", facts.motionPermille());
            frame.put("ringPressed", facts.ringPressed());
            frame.put("image", hex(image));
            frame.put("frameInfo", hex(frameInfo));
            frame.put(
                    "plaintext",
                    hex(V3Craft.framePlaintext(
                            frameInfo, image, Padding.sealedLength(padTo, frameInfo.length, image.length) - 16)));
            frame.put("nonce", hex(ClipFormat.nonce(prefix, i, last)));
            frame.put("aad", hex(ClipFormat.aad(ClipFormat.sha256(headerBytes), i, last, f.meta())));
            frame.put("sealed", hex(f.sealed()));
            frames.add(frame);
        }
        t.put("frames", frames);
        t.put("storedDeviceId", DEVICE);
        t.put("storedClipId", clipId);
        t.put("opener", V2VectorGenerator.opener(owner.publicKey(), alice, null));
        t.put("expected", V2VectorGenerator.expected("OK", null, ""));
        return new Sealed(t, headerBytes, clipId, new V3Craft(DEVICE, clipId, k, prefix));
    }

    private Map<String, Object> paddingGroup() {
        List<Object> tests = new ArrayList<>();
        int[][] valid = {
            {0, 10, 100},
            {64, 10, 100},
            {64, 10, 34},
            {64, 10, 35},
            {4096, 12, 0},
            {4096, 12, 4064},
            {4096, 12, 4065},
            {1 << 20, 14, 50_000}
        };
        for (int[] v : valid) {
            Map<String, Object> t = test("pad_to " + v[0] + ", FrameInfo " + v[1] + " bytes, image " + v[2], "valid");
            t.put("padTo", v[0]);
            t.put("frameInfoLength", v[1]);
            t.put("imageLength", v[2]);
            t.put("sealedLength", Padding.sealedLength(v[0], v[1], v[2]));
            tests.add(t);
        }
        for (long padTo : new long[] {16, 48, 63, 100, 4097, (1 << 20) + 16, 1L << 32}) {
            Map<String, Object> t = test("pad_to " + padTo + " is refused", "invalid");
            t.put("padTo", padTo);
            tests.add(t);
        }
        return V2VectorGenerator.group("PaddingTest", tests);
    }

    static ClipParams params(long clipId, Trigger trigger) {
        return new ClipParams(DEVICE, clipId, trigger, Codec.CODEC_MJPEG, 640, 480, 15, PAIRED_AT + 60_000, 4_000);
    }

    RecipientList recipientList() {
        return RecipientLists.list(DEVICE, 1, PAIRED_AT + 1000, List.of(ownerViewer.publicKey(), alice.publicKey()));
    }

    private static Map<String, Object> clipInfo(ClipInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("trigger", info.getTriggerValue());
        m.put("codec", info.getCodecValue());
        m.put("width", info.getWidth());
        m.put("height", info.getHeight());
        m.put("fps", info.getFps());
        m.put("startTimeUnixMs", info.getStartTimeUnixMs());
        m.put("preRollMs", info.getPreRollMs());
        m.put("padTo", info.getPadTo());
        m.put("ringUnixMs", new ArrayList<>(info.getRingUnixMsList()));
        return m;
    }

    private static Map<String, Object> chain(ChainLink chain) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("position", chain.getPosition());
        m.put("prevClipId", chain.getPrevClipId());
        m.put("prevHeaderSha256", hex(chain.getPrevHeaderSha256().toByteArray()));
        m.put("prevAcknowledgedFrames", chain.getPrevAcknowledgedFrames());
        m.put("prevFinalAcknowledged", chain.getPrevFinalAcknowledged());
        return m;
    }

    Map<String, Object> test(String comment, String result) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("tcId", ++tcId);
        t.put("comment", comment);
        t.put("flags", List.of());
        t.put("result", result);
        return t;
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    SigningKey deviceKey() {
        return deviceKey;
    }
}
