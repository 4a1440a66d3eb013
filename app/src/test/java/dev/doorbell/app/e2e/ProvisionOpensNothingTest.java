package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.OwnerSecret;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.seal.v2.Contexts;
import dev.doorbell.seal.v2.Identity;
import dev.doorbell.seal.v2.RecipientKeyPair;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Issue 11, point 1: nothing the vendor's {@code provision} writes can open a clip. A fleet is provisioned, its files
 * are kept as provision left them, then an owner is made and the device paired and a v2 clip sealed as the device
 * seals it. Every 32-byte window of every file provision wrote, raw and with its base64 and PEM bodies decoded, is
 * then tried as each kind of key that opens a v2 clip: a recipient's private key, the owner's secret (and the
 * viewer key it derives), and the clip key itself (against the header's key commitment). None opens it, while the
 * owner's identity does.
 */
class ProvisionOpensNothingTest {
    private static final Pattern PEM = Pattern.compile("-----BEGIN [A-Z ]+-----\\s*([A-Za-z0-9+/=\\s]+?)-----END");
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{40,}={0,2}");

    @TempDir
    Path dir;

    @Test
    void everyFileProvisionWrites_asEveryKindOfKey_opensNoClip() throws Exception {
        Path fleet = dir.resolve("fleet");
        assertEquals(0, run("provision", "--devices", "1", "--out", fleet.toString()));
        Map<Path, byte[]> written = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(fleet)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                written.put(fleet.relativize(f), Files.readAllBytes(f));
            }
        }
        assertTrue(written.size() >= 10, written.keySet().toString());

        Path ownerDir = dir.resolve("owner");
        OwnerDirectory owner = OwnerDirectory.init(ownerDir, new SecureRandom()).owner();
        Path device = fleet.resolve("devices/doorbell-0001");
        assertEquals(0, run("pair", "--owner", ownerDir.toString(), "--device", device.toString()));
        PairedDevice paired = DevicePairing.load(device);
        ClipSealing sealer = paired.startClip(
                new ClipParams(
                        "doorbell-0001", 7, Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 64, 48, 10, 1_750_000_000_000L, 0),
                List.of(1_750_000_000_100L),
                0,
                new SecureRandom());
        List<SealedFrame> frames = List.of(
                sealer.seal(0, "frame zero".getBytes(StandardCharsets.UTF_8), false),
                sealer.seal(100_000, "frame one".getBytes(StandardCharsets.UTF_8), true));
        byte[] header = sealer.headerBytes();
        SealedFrame[] clip = frames.toArray(SealedFrame[]::new);
        assertTrue(
                new ClipOpenerV2(owner).open("doorbell-0001", 7, header, clip).isOk(), "the owner opens it");
        byte[] commitment = ClipHeader.parseFrom(
                        SignedClipHeader.parseFrom(header).getHeader())
                .getKeyCommitment()
                .toByteArray();

        // The opener unwraps only with a key whose key id names a wrapped key; every candidate is checked against
        // those ids (fast), and every 50th also goes through the whole opener, which must agree.
        Set<String> wrappedIds = new HashSet<>();
        ClipHeader.parseFrom(SignedClipHeader.parseFrom(header).getHeader())
                .getWrappedKeysList()
                .forEach(w -> wrappedIds.add(
                        HexFormat.of().formatHex(w.getRecipientKeyId().toByteArray())));
        int tried = 0;
        for (Map.Entry<Path, byte[]> file : written.entrySet()) {
            for (byte[] blob : forms(file.getValue())) {
                for (int at = 0; at + 32 <= blob.length; at++) {
                    byte[] candidate = Arrays.copyOfRange(blob, at, at + 32);
                    String where = file.getKey() + " at " + at;
                    boolean wholeOpener = tried % 50 == 0;
                    RecipientKeyPair asRecipient = RecipientKeyPair.fromPrivate("candidate", candidate);
                    RecipientKeyPair asOwnersViewer = RecipientKeyPair.derive(
                            "owner", OwnerSecret.fromBytes(candidate).viewerKeyMaterial());
                    assertFalse(
                            opens(owner, asRecipient, wrappedIds, wholeOpener, header, clip),
                            where + " as a recipient's private key");
                    assertFalse(
                            opens(owner, asOwnersViewer, wrappedIds, wholeOpener, header, clip),
                            where + " as an owner's secret");
                    assertFalse(
                            MessageDigest.isEqual(commitment, commitmentOf(candidate, "doorbell-0001", 7)),
                            where + " as the clip key");
                    tried++;
                }
            }
        }
        assertTrue(tried > 5_000, tried + " candidates");
    }

    private static boolean opens(
            OwnerDirectory owner,
            RecipientKeyPair pair,
            Set<String> wrappedIds,
            boolean wholeOpener,
            byte[] header,
            SealedFrame[] clip) {
        try {
            boolean named = wrappedIds.contains(HexFormat.of().formatHex(pair.keyId()));
            if (!wholeOpener) {
                return named;
            }
            boolean opened = new ClipOpenerV2(Identity.of(owner.ownerKey(), List.of(pair)))
                    .open("doorbell-0001", 7, header, clip)
                    .isOk();
            assertEquals(named, opened, "the opener and the key ids disagree");
            return opened;
        } finally {
            pair.destroy();
        }
    }

    private static byte[] commitmentOf(byte[] clipKey, String deviceId, long clipId) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(clipKey, null, Contexts.clipKeyInfo(deviceId, clipId)));
        byte[] okm = new byte[64];
        hkdf.generateBytes(okm, 0, okm.length);
        return Arrays.copyOfRange(okm, 32, 64);
    }

    /** The file as it is, and every base64 body in it (PEM blocks, key lines) decoded. */
    private static List<byte[]> forms(byte[] content) {
        List<byte[]> forms = new ArrayList<>();
        forms.add(content);
        String text = new String(content, StandardCharsets.ISO_8859_1);
        Matcher pem = PEM.matcher(text);
        while (pem.find()) {
            forms.add(Base64.getMimeDecoder().decode(pem.group(1)));
        }
        Matcher run = BASE64_RUN.matcher(text);
        while (run.find()) {
            try {
                forms.add(Base64.getDecoder().decode(run.group()));
            } catch (IllegalArgumentException e) {
                // A run of base64 letters that is not whole base64 (inside a PEM line): the PEM body covers it.
            }
        }
        return forms;
    }

    private static int run(String... args) {
        CommandLine cli = DoorbellCli.commandLine();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        assertEquals("", err.toString());
        return exit;
    }
}
