package dev.doorbell.seal.v2;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.FrameInfo;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.StoredFrameBytes;
import java.lang.reflect.Field;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A paired world for the v2 tests: an owner (signing key, own viewer key), two viewers, a device with its own signing
 * key certified by the owner, and the first recipient list; all from the given (test) randomness.
 */
final class V2Fixture {
    static final String DEVICE = "front-door";
    static final long PAIRED_AT = 1_700_000_000_000L;
    /** The first clip after pairing: no predecessor. */
    static final ChainLink FIRST = ChainLink.newBuilder().setPosition(1).build();
    /** The press that started the ring clips of {@link #params}. */
    static final long RING_AT = 1_700_000_121_000L;

    final SecureRandom random;
    final SigningKey owner;
    final RecipientKeyPair ownerViewer;
    final RecipientKeyPair alice;
    final RecipientKeyPair bob;
    final SigningKey deviceKey;
    final byte[] certificate;
    final DeviceSigner signer;
    final RecipientList list;

    V2Fixture(SecureRandom random) {
        this.random = random;
        owner = SigningKey.generate(random);
        ownerViewer = RecipientKeyPair.generate(RecipientPublicKey.OWNER, random);
        alice = RecipientKeyPair.generate("alice", random);
        bob = RecipientKeyPair.generate("bob", random);
        deviceKey = SigningKey.generate(random);
        certificate = DeviceKeyCertificates.issue(owner, DEVICE, deviceKey.publicKey(), PAIRED_AT);
        signer = new DeviceSigner(DEVICE, deviceKey, certificate);
        list = list(1, ownerViewer, alice);
    }

    RecipientList list(long version, RecipientKeyPair... recipients) {
        List<RecipientPublicKey> keys = new ArrayList<>();
        for (RecipientKeyPair r : recipients) {
            keys.add(r.publicKey());
        }
        return RecipientLists.list(DEVICE, version, PAIRED_AT + version, keys);
    }

    Identity identityOf(RecipientKeyPair... keys) {
        return Identity.of(owner.publicKey(), List.of(keys));
    }

    /** The owner's directory: its own viewer key and the paired device key. */
    Identity ownerIdentity() {
        return Identity.of(owner.publicKey(), Map.of(DEVICE, deviceKey.publicKey()), List.of(ownerViewer));
    }

    static ClipParams params(long clipId) {
        return new ClipParams(
                DEVICE, clipId, Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 640, 480, 15, 1_700_000_123_000L, 2_000);
    }

    record Clip(byte[] header, List<SealedFrame> frames, List<byte[]> plaintexts) {
        List<StoredFrameBytes> stored() {
            List<StoredFrameBytes> out = new ArrayList<>();
            frames.forEach(f -> out.add(f.toStored()));
            return out;
        }
    }

    Clip seal(long clipId, int... sizes) {
        return seal(signer, list, clipId, sizes);
    }

    Clip seal(DeviceSigner by, RecipientList to, long clipId, int... sizes) {
        ClipSealerV2 sealer = ClipSealerV2.start(by, to, params(clipId), random);
        List<SealedFrame> frames = new ArrayList<>();
        List<byte[]> plaintexts = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] plaintext = new byte[sizes[i]];
            random.nextBytes(plaintext);
            plaintexts.add(plaintext);
            frames.add(sealer.seal(i * 66_666L, plaintext, i == sizes.length - 1));
        }
        return new Clip(sealer.headerBytes(), frames, plaintexts);
    }

    /** A v3 clip at the first chain position, padded to {@code padTo}, frame i with {@link #facts(int)}. */
    Clip sealV3(long clipId, int padTo, int... sizes) {
        return sealV3(startV3(clipId, FIRST, padTo), sizes);
    }

    ClipSealerV3 startV3(long clipId, ChainLink chain, int padTo) {
        return ClipSealerV3.start(signer, list, params(clipId), chain, List.of(RING_AT), padTo, random);
    }

    Clip sealV3(ClipSealerV3 sealer, int... sizes) {
        List<SealedFrame> frames = new ArrayList<>();
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] image = new byte[sizes[i]];
            random.nextBytes(image);
            images.add(image);
            frames.add(sealer.seal(facts(i), image, i == sizes.length - 1));
        }
        return new Clip(sealer.headerBytes(), frames, images);
    }

    /** Frame i's facts: pts every 66.666 ms, a motion score that varies, the ring pressed during frame 1. */
    static FrameFacts facts(int i) {
        return new FrameFacts(i * 66_666L, (i * 337) % 1001, i == 1);
    }

    /** The FrameInfo the v3 sealer writes for frame i of {@link #facts(int)} with an image of that length. */
    static FrameInfo frameInfo(int i, int imageLength) {
        FrameFacts f = facts(i);
        return FrameInfo.newBuilder()
                .setPtsUs(f.ptsMicros())
                .setImageLength(imageLength)
                .setMotionPermille(f.motionPermille())
                .setRingPressed(f.ringPressed())
                .build();
    }

    /** The header bytes with the inner ClipHeader changed by {@code change} and signed again by {@code by}. */
    static byte[] resigned(byte[] headerBytes, SigningKey by, UnaryOperator<ClipHeader.Builder> change) {
        try {
            SignedClipHeader signed = SignedClipHeader.parseFrom(headerBytes);
            byte[] inner = change.apply(ClipHeader.parseFrom(signed.getHeader()).toBuilder())
                    .build()
                    .toByteArray();
            return SignedClipHeader.newBuilder()
                    .setHeader(ByteString.copyFrom(inner))
                    .setSignature(ByteString.copyFrom(by.sign(Contexts.CLIP_HEADER, inner)))
                    .build()
                    .toByteArray();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** The header bytes with the outer SignedClipHeader changed (the signature, the inner bytes as they are). */
    static byte[] outerChanged(byte[] headerBytes, UnaryOperator<SignedClipHeader.Builder> change) {
        try {
            return change.apply(SignedClipHeader.parseFrom(headerBytes).toBuilder())
                    .build()
                    .toByteArray();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    static ByteString signature(byte[] headerBytes) {
        try {
            return SignedClipHeader.parseFrom(headerBytes).getSignature();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    static ClipHeader inner(byte[] headerBytes) {
        try {
            return ClipHeader.parseFrom(SignedClipHeader.parseFrom(headerBytes).getHeader());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** The array a secret-holding object keeps in {@code field}, to check that destroying it zeroed that very array. */
    static byte[] secretArray(Object holder, String field) {
        try {
            Field f = holder.getClass().getDeclaredField(field);
            f.setAccessible(true);
            return (byte[]) f.get(holder);
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("no field " + field + " in " + holder.getClass(), e);
        }
    }

    static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
