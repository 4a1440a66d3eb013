package dev.doorbell.seal.v2;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.map;

import com.fasterxml.jackson.jr.ob.JSON;
import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.RecipientListResult;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.keys.internal.Hkdf;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.seal.testing.InsecureRecordingRandom;
import dev.doorbell.seal.testing.JsonFiles;
import dev.doorbell.seal.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.prng.FixedSecureRandom;
import org.bouncycastle.pqc.crypto.xwing.XWingKEMGenerator;
import org.bouncycastle.pqc.crypto.xwing.XWingPublicKeyParameters;

/**
 * Writes testdata/vectors/v2/xwing_vectors.json (docs/FORMAT.md §16, the schema of §7): the X-Wing draft's own KEM
 * vectors (from testdata/vectors/xwing/, each recomputed here through BouncyCastle), recipient lists with X-Wing
 * keys, and whole v2 clips wrapped to X-Wing recipients from {@link InsecureDeterministicRandom} (a fixed, public
 * seed: every key in the file is public knowledge). {@code XWingVectorsTest} regenerates it in memory and requires
 * the stored file to be identical. Run after a deliberate format change: {@code ./mvnw -pl seal -am test
 * -Dtest=XWingVectorsTest -Ddoorbell.regenerate=true}.
 */
final class XWingVectorGenerator {
    static final String FILE = "vectors/v2/xwing_vectors.json";
    static final String DRAFT_FILE = "vectors/xwing/xwing_draft_test_vectors.json";
    static final String DEVICE = "front-door";
    static final long PAIRED_AT = 1_764_900_000_000L;

    private final InsecureRecordingRandom rnd =
            new InsecureRecordingRandom(new InsecureDeterministicRandom("doorbell seal vectors x-wing"));
    private int tcId;

    // One owner (its own viewer key is X25519, derived from the secret), viewers of both kems, a paired device.
    private final byte[] ownerSecret = bytes(32);
    private final SigningKey owner = SigningKey.fromSeed(V2VectorGenerator.ownerSigningSeed(ownerSecret));
    private final RecipientKeyPair ownerViewer =
            RecipientKeyPair.derive(RecipientPublicKey.OWNER, V2VectorGenerator.ownerViewerIkm(ownerSecret));
    private final RecipientKeyPair carol = RecipientKeyPair.generate("carol-pq", Kem.X_WING, rnd);
    private final RecipientKeyPair dave = RecipientKeyPair.generate("dave-pq", Kem.X_WING, rnd);
    private final RecipientKeyPair alice = RecipientKeyPair.generate("alice", rnd);
    private final SigningKey deviceKey = SigningKey.generate(rnd);
    private final byte[] certificate = DeviceKeyCertificates.issue(owner, DEVICE, deviceKey.publicKey(), PAIRED_AT);

    public static void main(String[] args) throws Exception {
        Path out = args.length > 0 ? Paths.get(args[0]) : TestData.dir().resolve(FILE);
        Files.createDirectories(out.getParent());
        Files.writeString(out, JsonFiles.write(new XWingVectorGenerator().generate()), StandardCharsets.UTF_8);
    }

    Map<String, Object> generate() throws IOException {
        List<Object> groups = new ArrayList<>();
        groups.add(kemGroup());
        groups.add(listGroup());
        List<Object> clips = new ArrayList<>();
        Map<String, Object> base = sealedClip(
                2001, List.of(ownerViewer, carol, alice), carol, new int[] {0, 7, 40}, "three frames, opened by carol");
        clips.add(base);
        clips.add(sealedClip(2002, List.of(dave), dave, new int[] {64}, "one frame to an X-Wing recipient alone"));
        invalidClips(base, clips);
        groups.add(group("ClipTest", clips));
        groups.add(group(
                "ClipV3Test",
                List.of(sealedClipV3(
                        List.of(ownerViewer, carol),
                        carol,
                        new int[] {0, 9, 70},
                        "a v3 clip padded to 64, opened by" + " carol"))));
        Map<String, Object> file = new LinkedHashMap<>();
        file.put(
                "algorithm",
                "doorbell-v2-seal with X-Wing recipients (HPKE X-Wing 0x647a/HKDF-SHA256/AES-256-GCM base mode,"
                        + " draft-connolly-cfrg-xwing-kem)");
        file.put("schema", "doorbell_seal_v2_test_schema_v1: described in docs/FORMAT.md section 16; byte strings hex");
        file.put("numberOfTests", tcId);
        file.put(
                "header",
                List.of(
                        "Generated by XWingVectorGenerator (seal test sources) from a fixed, public, INSECURE seed.",
                        "XWingKemTest: the X-Wing draft's own test vectors (testdata/vectors/xwing/, source and"
                                + " licence in its LICENSE), each recomputed through BouncyCastle 1.87.",
                        "RecipientListTest: lists with X-Wing recipients. ClipTest: whole v2 clips wrapped to X-Wing"
                                + " recipients (every draw and intermediate value), and invalid ones with the"
                                + " verdict the opener described gives. ClipV3Test: a format v3 clip (docs/FORMAT.md"
                                + " section 17) wrapped to an X-Wing recipient, with its draws."));
        file.put("testGroups", groups);
        return file;
    }

    /** The draft's vectors, each recomputed: the public key from the seed by this code, the encapsulation by BC. */
    private Map<String, Object> kemGroup() throws IOException {
        List<Object> tests = new ArrayList<>();
        int n = 0;
        for (Object o : draftVectors()) {
            Map<String, Object> draft = map(o);
            byte[] seed = hex(draft.get("seed"));
            byte[] eseed = hex(draft.get("eseed"));
            RecipientKeyPair pair = RecipientKeyPair.fromPrivate("draft", Kem.X_WING, seed);
            byte[] pk = pair.publicKey().publicKey();
            SecretWithEncapsulation encapsulated = new XWingKEMGenerator(new FixedSecureRandom(eseed))
                    .generateEncapsulated(new XWingPublicKeyParameters(pk));
            Map<String, Object> t = test("draft-connolly-cfrg-xwing-kem test vector " + ++n, "valid");
            t.put("seed", hex(seed));
            t.put("publicKey", hex(pk));
            t.put("keyId", hex(pair.keyId()));
            t.put("eseed", hex(eseed));
            t.put("ciphertext", hex(encapsulated.getEncapsulation()));
            t.put("sharedSecret", hex(encapsulated.getSecret()));
            tests.add(t);
        }
        return group("XWingKemTest", tests);
    }

    static List<Object> draftVectors() throws IOException {
        return JSON.std.listFrom(Files.readString(TestData.dir().resolve(DRAFT_FILE)));
    }

    private Map<String, Object> listGroup() {
        List<Object> tests = new ArrayList<>();
        RecipientList withPq = RecipientLists.list(
                DEVICE, 2, PAIRED_AT + 2, List.of(ownerViewer.publicKey(), carol.publicKey(), alice.publicKey()));
        tests.add(listTest("version 2 adds carol-pq (X-Wing)", RecipientLists.sign(owner, withPq), 1, null));
        tests.add(listTest(
                "an X-Wing key of 1215 bytes",
                signed(withList(withPq, 1, r -> r.setPublicKey(r.getPublicKey().substring(1)))),
                1,
                RecipientListResult.Status.REFUSED_MALFORMED));
        tests.add(listTest(
                "an X25519 key labelled X-Wing",
                signed(withList(withPq, 2, r -> r.setKem(RecipientPublicKey.KEM_X_WING))),
                1,
                RecipientListResult.Status.REFUSED_MALFORMED));
        tests.add(listTest(
                "an X-Wing key whose ML-KEM-768 part fails the modulus check (FIPS 203 section 7.2)",
                signed(withList(withPq, 1, r -> r.setPublicKey(ByteString.copyFrom(failsModulusCheck())))),
                1,
                RecipientListResult.Status.REFUSED_MALFORMED));
        tests.add(listTest(
                "an unknown kem 0x0021",
                signed(withList(withPq, 1, r -> r.setKem(0x0021))),
                1,
                RecipientListResult.Status.REFUSED_MALFORMED));
        return group("RecipientListTest", tests);
    }

    /** 1216 bytes whose first ML-KEM coefficient is q = 3329 (0x0d01): one too large; the rest are zeros. */
    private static byte[] failsModulusCheck() {
        byte[] key = new byte[1216];
        key[0] = 0x01;
        key[1] = 0x0d;
        return key;
    }

    private static RecipientList withList(
            RecipientList list, int index, UnaryOperator<dev.doorbell.proto.v1.Recipient.Builder> change) {
        return list.toBuilder()
                .setRecipients(index, change.apply(list.getRecipients(index).toBuilder()))
                .build();
    }

    /** Signed by the owner although it breaks the rules: only the rules refuse it. */
    private byte[] signed(RecipientList list) {
        return SignedRecipientList.newBuilder()
                .setList(list.toByteString())
                .setSignature(ByteString.copyFrom(owner.sign(Contexts.RECIPIENT_LIST, list.toByteArray())))
                .build()
                .toByteArray();
    }

    private Map<String, Object> listTest(
            String comment, byte[] signedList, long current, RecipientListResult.Status refused) {
        Map<String, Object> t = test(comment, refused == null ? "valid" : "invalid");
        t.put("ownerPublicKey", hex(owner.publicKey().bytes()));
        t.put("deviceId", DEVICE);
        t.put("currentVersion", Long.toUnsignedString(current));
        t.put("signedList", hex(signedList));
        t.put("expected", refused == null ? RecipientListResult.Status.ACCEPTED.name() : refused.name());
        return t;
    }

    private Map<String, Object> sealedClip(
            long clipId, List<RecipientKeyPair> pairs, RecipientKeyPair openedBy, int[] sizes, String comment) {
        List<RecipientPublicKey> keys = new ArrayList<>();
        pairs.forEach(p -> keys.add(p.publicKey()));
        RecipientList list = RecipientLists.list(DEVICE, 1, PAIRED_AT, keys);
        rnd.clear();
        ClipSealerV2 sealer = ClipSealerV2.start(
                new DeviceSigner(DEVICE, deviceKey, certificate), list, V2VectorGenerator.params(clipId), rnd);
        List<byte[]> draws = rnd.draws();
        byte[] k = draws.get(0);
        byte[] headerBytes = sealer.headerBytes();
        ClipHeader header = sealer.header();
        byte[] aesKey = new byte[32];
        byte[] commitment = new byte[32];
        Hkdf.sha256Into(k, null, Contexts.clipKeyInfo(DEVICE, clipId), aesKey, commitment);
        Map<String, Object> t = test(comment, "valid");
        t.put("deviceId", DEVICE);
        t.put("clipId", clipId);
        t.put("ownerPublicKey", hex(owner.publicKey().bytes()));
        t.put("deviceSeed", hex(deviceKey.seed()));
        t.put("devicePublicKey", hex(deviceKey.publicKey().bytes()));
        t.put("deviceKeyCertificate", hex(certificate));
        t.put("signedList", hex(RecipientLists.sign(owner, list)));
        t.put("params", paramsJson(V2VectorGenerator.params(clipId)));
        t.put("clipKey", hex(k));
        t.put("noncePrefix", hex(draws.get(1)));
        t.put("clipKeyInfo", hex(Contexts.clipKeyInfo(DEVICE, clipId)));
        t.put("aesKey", hex(aesKey));
        t.put("commitment", hex(commitment));
        t.put("wrapInfo", hex(Contexts.wrapInfo(DEVICE, clipId)));
        t.put("recipients", recipients(pairs, draws, header, clipId));
        byte[] inner;
        try {
            inner = SignedClipHeader.parseFrom(headerBytes).getHeader().toByteArray();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        t.put("innerHeader", hex(inner));
        t.put("headerSignature", hex(deviceKey.sign(Contexts.CLIP_HEADER, inner)));
        t.put("header", hex(headerBytes));
        t.put("headerSha256", hex(ClipFormat.sha256(headerBytes)));
        List<Object> frames = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] plaintext = bytes(sizes[i]);
            boolean last = i == sizes.length - 1;
            SealedFrame f = sealer.seal(i * 66_666L, plaintext, last);
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("seq", i);
            frame.put("last", last);
            frame.put("ptsUs", i * 66_666L);
            frame.put("meta", hex(f.meta()));
            frame.put("plaintext", hex(plaintext));
            frame.put("nonce", hex(ClipFormat.nonce(draws.get(1), i, last)));
            frame.put("aad", hex(ClipFormat.aad(ClipFormat.sha256(headerBytes), i, last, f.meta())));
            frame.put("sealed", hex(f.sealed()));
            frames.add(frame);
        }
        t.put("frames", frames);
        t.put("storedDeviceId", DEVICE);
        t.put("storedClipId", clipId);
        t.put("opener", opener(openedBy));
        t.put("expected", V2VectorGenerator.expected("OK", null, ""));
        return t;
    }

    /**
     * A format v3 clip (docs/FORMAT.md §17) wrapped to {@code pairs}: the wrapping is v2's, so the X-Wing recipient
     * entries are those of {@link #sealedClip}; the v3 fields (ClipInfo, FrameInfo, padding, chain) are checked by
     * the v3 vectors, and here only through the replayed sealer and the opener.
     */
    private Map<String, Object> sealedClipV3(
            List<RecipientKeyPair> pairs, RecipientKeyPair openedBy, int[] sizes, String comment) {
        List<RecipientPublicKey> keys = new ArrayList<>();
        pairs.forEach(p -> keys.add(p.publicKey()));
        RecipientList list = RecipientLists.list(DEVICE, 1, PAIRED_AT, keys);
        long clipId = ClipIds.random(rnd);
        ClipParams p = V2VectorGenerator.params(clipId);
        ChainLink chain = ChainLink.newBuilder().setPosition(1).build();
        int padTo = 64;
        rnd.clear();
        ClipSealerV3 sealer = ClipSealerV3.start(
                new DeviceSigner(DEVICE, deviceKey, certificate), list, p, chain, List.of(), padTo, rnd);
        List<byte[]> draws = rnd.draws();
        byte[] headerBytes = sealer.headerBytes();
        ClipHeader header = sealer.header();
        Map<String, Object> t = test(comment, "valid");
        t.put("formatVersion", ClipSealerV3.FORMAT_VERSION);
        t.put("deviceId", DEVICE);
        t.put("clipId", clipId);
        t.put("ownerPublicKey", hex(owner.publicKey().bytes()));
        t.put("deviceSeed", hex(deviceKey.seed()));
        t.put("deviceKeyCertificate", hex(certificate));
        t.put("signedList", hex(RecipientLists.sign(owner, list)));
        t.put("params", paramsJson(p));
        t.put("chainPosition", chain.getPosition());
        t.put("padTo", padTo);
        t.put("clipKey", hex(draws.get(0)));
        t.put("noncePrefix", hex(draws.get(1)));
        t.put("wrapInfo", hex(Contexts.wrapInfo(DEVICE, clipId)));
        t.put("recipients", recipients(pairs, draws, header, clipId));
        t.put("header", hex(headerBytes));
        List<Object> frames = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] image = bytes(sizes[i]);
            boolean last = i == sizes.length - 1;
            FrameFacts facts = new FrameFacts(i * 66_666L, 10 * i, false);
            SealedFrame f = sealer.seal(facts, image, last);
            Map<String, Object> frame = new LinkedHashMap<>();
            frame.put("seq", i);
            frame.put("last", last);
            frame.put("meta", hex(f.meta()));
            frame.put("ptsUs", facts.ptsMicros());
            frame.put("motionPermille", facts.motionPermille());
            frame.put("ringPressed", facts.ringPressed());
            frame.put("image", hex(image));
            frame.put("sealed", hex(f.sealed()));
            frames.add(frame);
        }
        t.put("frames", frames);
        t.put("storedDeviceId", DEVICE);
        t.put("storedClipId", clipId);
        t.put("opener", opener(openedBy));
        t.put("expected", V2VectorGenerator.expected("OK", null, ""));
        return t;
    }

    private static Map<String, Object> paramsJson(ClipParams p) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("trigger", p.trigger().getNumber());
        params.put("codec", p.codec().getNumber());
        params.put("width", p.width());
        params.put("height", p.height());
        params.put("fps", p.fps());
        params.put("startTimeUnixMs", p.startTimeUnixMs());
        params.put("preRollMs", p.preRollMs());
        return params;
    }

    /** The recipients' entries: keys, key id, the drawn HPKE randomness and, for X-Wing, the key schedule. */
    private static List<Object> recipients(
            List<RecipientKeyPair> pairs, List<byte[]> draws, ClipHeader header, long clipId) {
        List<Object> recipients = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            RecipientKeyPair pair = pairs.get(i);
            WrappedKey wrapped = header.getWrappedKeys(i);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", pair.name());
            r.put("kem", pair.kem().fileName());
            r.put("privateKey", hex(pair.privateKey()));
            r.put("publicKey", hex(pair.publicKey().publicKey()));
            r.put("keyId", hex(pair.keyId()));
            // X25519: the 32 bytes drawn for the ephemeral key (before clamping); X-Wing: the draft's 64-byte eseed.
            r.put(pair.kem() == Kem.X_WING ? "eseed" : "ephemeralRandom", hex(draws.get(2 + i)));
            if (pair.kem() == Kem.X_WING) {
                HpkeKeySchedule schedule = HpkeKeySchedule.xWing(
                        pair.publicKey().publicKey(), draws.get(2 + i), Contexts.wrapInfo(DEVICE, clipId));
                r.put("sharedSecret", hex(schedule.sharedSecret()));
                r.put("hpkeKey", hex(schedule.key()));
                r.put("hpkeBaseNonce", hex(schedule.baseNonce()));
            }
            r.put("enc", hex(wrapped.getEnc().toByteArray()));
            r.put("ciphertext", hex(wrapped.getCiphertext().toByteArray()));
            recipients.add(r);
        }
        return recipients;
    }

    /** The header-level failures that X-Wing wrapped keys add, each opened by the recipient named. */
    private void invalidClips(Map<String, Object> base, List<Object> clips) {
        byte[] header = hex(base.get("header"));
        // carol-pq's wrapped key is the second of the header (list order: owner, carol-pq, alice).
        clips.add(invalid(
                base,
                "a bit flipped in carol-pq's X-Wing enc",
                resigned(header, h -> h.setWrappedKeys(1, flip(h.getWrappedKeys(1), true))),
                carol,
                "key unwrap failed"));
        clips.add(invalid(
                base,
                "a bit flipped in carol-pq's wrapped-key ciphertext",
                resigned(header, h -> h.setWrappedKeys(1, flip(h.getWrappedKeys(1), false))),
                carol,
                "key unwrap failed"));
        clips.add(invalid(
                base,
                "carol-pq's enc cut to 1119 bytes",
                resigned(
                        header,
                        h -> h.setWrappedKeys(
                                1,
                                h.getWrappedKeys(1).toBuilder()
                                        .setEnc(h.getWrappedKeys(1).getEnc().substring(1)))),
                carol,
                "bad header"));
        clips.add(invalid(
                base,
                "carol-pq's X-Wing wrapped key labelled X25519",
                resigned(
                        header,
                        h -> h.setWrappedKeys(
                                1, h.getWrappedKeys(1).toBuilder().setKem(RecipientPublicKey.KEM_X25519))),
                carol,
                "bad header"));
        clips.add(invalid(base, "opened by dave-pq, not on the list", header, dave, "not a recipient of this clip"));
    }

    private Map<String, Object> invalid(
            Map<String, Object> base, String comment, byte[] header, RecipientKeyPair openedBy, String keyword) {
        Map<String, Object> t = test(comment, "invalid");
        t.put("deviceId", base.get("deviceId"));
        t.put("clipId", base.get("clipId"));
        t.put("storedDeviceId", base.get("storedDeviceId"));
        t.put("storedClipId", base.get("storedClipId"));
        t.put("header", hex(header));
        t.put("frames", V2VectorTampering.storedFrames(base));
        t.put("opener", opener(openedBy));
        t.put("expected", V2VectorGenerator.expected("TAMPERED", null, keyword));
        return t;
    }

    private static WrappedKey flip(WrappedKey wrapped, boolean enc) {
        byte[] bytes = (enc ? wrapped.getEnc() : wrapped.getCiphertext()).toByteArray();
        bytes[bytes.length / 2] ^= 1;
        WrappedKey.Builder b = wrapped.toBuilder();
        return (enc ? b.setEnc(ByteString.copyFrom(bytes)) : b.setCiphertext(ByteString.copyFrom(bytes))).build();
    }

    private byte[] resigned(byte[] header, UnaryOperator<ClipHeader.Builder> change) {
        return V2Fixture.resigned(header, deviceKey, change);
    }

    /** As V2VectorGenerator's opener (a viewer: no paired device key), with the recipient's kem. */
    private Map<String, Object> opener(RecipientKeyPair recipient) {
        Map<String, Object> o = V2VectorGenerator.opener(owner.publicKey(), recipient, null);
        o.put("recipientKem", recipient.kem().fileName());
        return o;
    }

    private Map<String, Object> test(String comment, String result) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("tcId", ++tcId);
        t.put("comment", comment);
        t.put("flags", List.of());
        t.put("result", result);
        return t;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static Map<String, Object> group(String type, List<Object> tests) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("type", type);
        g.put("tests", tests);
        return g;
    }
}
