package dev.doorbell.device.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.testing.TestOwner;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.seal.v2.Contexts;
import dev.doorbell.seal.v2.Identity;
import dev.doorbell.seal.v2.RecipientKeyPair;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stolen doorbell holds nothing that opens a clip it has finished. After a clip's final frame, every 32 bytes found
 * in the device directory's files and in the state reachable from the device's objects (the paired device, the
 * uploader, its link and outbox; JCA keys by their encoding) are tried as the clip key (against the header's key
 * commitment), as the AES key of its frames (opening frame 0) and as an X25519 private key (unwrapping a wrapped key
 * of the header): none opens the clip. The same search, run while the clip is still being recorded, finds the key it
 * seals with: the search is able to find one.
 */
class FinishedClipKeysTest extends LinkTestBase {
    private static final long CLIP = 77;

    private final TestOwner owner = new TestOwner();
    private final SecureRandom random = new SecureRandom();

    @TempDir
    Path tmp;

    @Test
    void finishedClip_nothingOnTheDeviceOpensIt_whileRecordingTheSearchFindsTheKey() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("dev-a"), DEVICE);
        PairedDevice device = owner.pair(dir);
        LinkClient link = client(config().build(), device);
        link.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        ClipUploader uploader = new ClipUploader(link);
        ClipSealing clip = device.startClip(
                new ClipParams(DEVICE, CLIP, Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 320, 240, 10, 1L, 0),
                List.of(1L),
                0,
                random);
        assertTrue(uploader.open(clip));
        byte[] header = clip.headerBytes();
        List<SealedFrame> frames = new ArrayList<>();
        frames.add(uploader.send(0, "frame 0".getBytes(StandardCharsets.US_ASCII), false));

        assertTrue(
                opensFrame(candidates(dir, device, uploader), header, frames.get(0)),
                "while the clip is recorded its key is on the device, and the search finds it");

        frames.add(uploader.send(100_000, "frame 1".getBytes(StandardCharsets.US_ASCII), true));
        link.drain(WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        ClipVerdict forOwner = new ClipOpenerV2(Identity.of(owner.publicKey(), List.of(owner.viewer())))
                .open(DEVICE, CLIP, header, frames.toArray(SealedFrame[]::new));
        assertEquals(ClipVerdict.Status.OK, forOwner.status(), "the owner opens it: " + forOwner.reason());

        List<byte[]> found = candidates(dir, device, uploader);
        assertTrue(found.size() > 10, "the search saw the device's state: " + found.size() + " candidates");
        assertFalse(opensAsClipKey(found, header), "no 32 bytes on the device are the finished clip's key");
        assertFalse(opensFrame(found, header, frames.get(0)), "no 32 bytes on the device open its frames");
        for (byte[] candidate : found) {
            RecipientKeyPair probe = RecipientKeyPair.fromPrivate("probe", candidate);
            ClipVerdict verdict = new ClipOpenerV2(Identity.of(owner.publicKey(), List.of(probe)))
                    .open(DEVICE, CLIP, header, frames.toArray(SealedFrame[]::new));
            assertFalse(verdict.status() == ClipVerdict.Status.OK, "a key on the device unwraps the clip's key");
        }
    }

    /** Whether one of {@code candidates} is the clip key: its HKDF output matches the header's key commitment. */
    private static boolean opensAsClipKey(List<byte[]> candidates, byte[] headerBytes) throws Exception {
        ClipHeader header =
                ClipHeader.parseFrom(SignedClipHeader.parseFrom(headerBytes).getHeader());
        byte[] commitment = header.getKeyCommitment().toByteArray();
        for (byte[] candidate : candidates) {
            HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
            hkdf.init(new HKDFParameters(candidate, null, Contexts.clipKeyInfo(DEVICE, CLIP)));
            byte[] okm = new byte[64];
            hkdf.generateBytes(okm, 0, 64);
            if (MessageDigest.isEqual(commitment, Arrays.copyOfRange(okm, 32, 64))) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of {@code candidates} is the AES key of the clip's frames: it opens frame 0 (FORMAT.md §4). */
    private static boolean opensFrame(List<byte[]> candidates, byte[] headerBytes, SealedFrame frame) throws Exception {
        ClipHeader header =
                ClipHeader.parseFrom(SignedClipHeader.parseFrom(headerBytes).getHeader());
        byte[] nonce = ByteBuffer.allocate(12)
                .put(header.getNoncePrefix().toByteArray())
                .putInt(frame.seq())
                .put((byte) (frame.last() ? 1 : 0))
                .array();
        byte[] aad = ByteBuffer.allocate(32 + 5 + frame.meta().length)
                .put(MessageDigest.getInstance("SHA-256").digest(headerBytes))
                .putInt(frame.seq())
                .put((byte) (frame.last() ? 1 : 0))
                .put(frame.meta())
                .array();
        for (byte[] candidate : candidates) {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(candidate, "AES"), new GCMParameterSpec(128, nonce));
            gcm.updateAAD(aad);
            try {
                gcm.doFinal(frame.sealed());
                return true;
            } catch (AEADBadTagException wrongKey) {
                // Not this one.
            }
        }
        return false;
    }

    /**
     * Every 32-byte window of every byte array found: in the files of {@code dir} (raw, and each base64 value of a key
     * file's lines) and in the objects reachable from {@code roots} (fields of the project's, BouncyCastle's and
     * protobuf's classes, arrays, and the elements of collections and maps).
     */
    private static List<byte[]> candidates(Path dir, Object... roots) throws Exception {
        List<byte[]> arrays = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                byte[] bytes = Files.readAllBytes(file);
                arrays.add(bytes);
                for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\n")) {
                    int colon = line.indexOf(": ");
                    if (colon > 0) {
                        try {
                            arrays.add(Base64.getDecoder()
                                    .decode(line.substring(colon + 2).strip()));
                        } catch (IllegalArgumentException notBase64) {
                            // A public field such as the device id.
                        }
                    }
                }
            }
        }
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> todo = new ArrayDeque<>(List.of(roots));
        while (!todo.isEmpty() && seen.size() < 200_000) {
            Object o = todo.pop();
            if (o == null || !seen.add(o)) {
                continue;
            }
            Class<?> type = o.getClass();
            if (o instanceof byte[] bytes) {
                arrays.add(bytes);
            } else if (type.isArray() && !type.getComponentType().isPrimitive()) {
                for (int i = 0; i < Array.getLength(o); i++) {
                    push(todo, Array.get(o, i));
                }
            } else if (o instanceof Key key) {
                if (key.getEncoded() != null) {
                    arrays.add(key.getEncoded());
                }
            } else if (o instanceof ByteString bytes) {
                arrays.add(bytes.toByteArray());
            } else if (o instanceof Collection<?> collection) {
                collection.forEach(e -> push(todo, e));
            } else if (o instanceof Map<?, ?> map) {
                map.forEach((k, v) -> {
                    push(todo, k);
                    push(todo, v);
                });
            } else if (walked(type)) {
                for (Class<?> c = type; c != null && walked(c); c = c.getSuperclass()) {
                    for (Field f : c.getDeclaredFields()) {
                        if (!Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
                            f.setAccessible(true);
                            push(todo, f.get(o));
                        }
                    }
                }
            }
        }
        List<byte[]> windows = new ArrayList<>();
        for (byte[] a : arrays) {
            for (int i = 0; i + 32 <= Math.min(a.length, 4096); i++) {
                windows.add(Arrays.copyOfRange(a, i, i + 32));
            }
        }
        return windows;
    }

    private static void push(Deque<Object> todo, Object o) {
        if (o != null) {
            todo.push(o);
        }
    }

    private static boolean walked(Class<?> type) {
        String name = type.getName();
        return name.startsWith("dev.doorbell.") || name.startsWith("org.bouncycastle.");
    }
}
