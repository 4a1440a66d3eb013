package dev.doorbell.seal.v2;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.Share;
import dev.doorbell.proto.v1.SignedShare;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.seal.internal.ClipFormat;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A share opens one clip for a third party (docs/FORMAT.md §14): the owner unwraps the clip key, wraps it again with
 * HPKE to the third party's key (the same info and aad as a wrapped key in a header), binds it to the clip's header
 * by its SHA-256, and signs it. It opens nothing else: another clip has another key.
 */
public final class Shares {
    private Shares() {}

    /**
     * The owner's share of the clip stored as ({@code deviceId}, {@code clipId}) with {@code headerBytes}: the header
     * must pass every check of docs/FORMAT.md §15 up to the key commitment for {@code identity} (the owner's
     * directory), whose owner key must be {@code owner}'s. The clip key exists only inside this call.
     *
     * @throws IllegalArgumentException when the header is refused (the message is the verdict) or the keys disagree
     * @throws dev.doorbell.seal.KeyUnavailableException for a v1 clip
     */
    public static byte[] issue(
            SigningKey owner,
            Identity identity,
            String deviceId,
            long clipId,
            byte[] headerBytes,
            RecipientPublicKey to,
            long issuedUnixMs,
            SecureRandom random) {
        if (!identity.ownerKey().equals(owner.publicKey())) {
            throw new IllegalArgumentException("cannot share clip " + Long.toUnsignedString(clipId) + " of device "
                    + deviceId + ": the signing key " + owner.publicKey().fingerprint()
                    + " is not the identity's owner key " + identity.ownerKey().fingerprint());
        }
        ClipOpenerV2.Unwrapped unwrapped = new ClipOpenerV2(identity).unwrap(deviceId, clipId, headerBytes);
        if (unwrapped.refusal != null) {
            throw new IllegalArgumentException("cannot share clip " + Long.toUnsignedString(clipId) + " of device "
                    + deviceId + ": " + unwrapped.refusal.summary());
        }
        Arrays.fill(unwrapped.aesKey, (byte) 0);
        try {
            return issue(owner, unwrapped.clipKey, deviceId, clipId, headerBytes, to, issuedUnixMs, random);
        } finally {
            Arrays.fill(unwrapped.clipKey, (byte) 0);
        }
    }

    /**
     * The SignedShare bytes for a clip key the caller already holds (it does not check that {@code clipKey} opens
     * the clip: the third party's opener will, by the key commitment).
     */
    public static byte[] issue(
            SigningKey owner,
            byte[] clipKey,
            String deviceId,
            long clipId,
            byte[] headerBytes,
            RecipientPublicKey to,
            long issuedUnixMs,
            SecureRandom random) {
        DeviceIds.require(deviceId);
        if (clipKey.length != ClipFormat.CLIP_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "a clip key is " + ClipFormat.CLIP_KEY_BYTES + " bytes, not " + clipKey.length);
        }
        byte[] keyId = to.keyId();
        Hpke.Sealed wrapped = Hpke.seal(to, Contexts.wrapInfo(deviceId, clipId), keyId, clipKey, random);
        byte[] share = Share.newBuilder()
                .setDeviceId(deviceId)
                .setClipId(clipId)
                .setHeaderSha256(ByteString.copyFrom(ClipFormat.sha256(headerBytes)))
                .setWrapped(WrappedKey.newBuilder()
                        .setRecipientKeyId(ByteString.copyFrom(keyId))
                        .setKem(to.kem())
                        .setEnc(ByteString.copyFrom(wrapped.enc()))
                        .setCiphertext(ByteString.copyFrom(wrapped.ciphertext())))
                .setIssuedUnixMs(issuedUnixMs)
                .build()
                .toByteArray();
        return SignedShare.newBuilder()
                .setShare(ByteString.copyFrom(share))
                .setSignature(ByteString.copyFrom(owner.sign(Contexts.SHARE, share)))
                .setOwnerSigningPublicKey(ByteString.copyFrom(owner.publicKey().bytes()))
                .build()
                .toByteArray();
    }
}
