package dev.doorbell.seal.v2;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.WrappedKey;
import java.security.SecureRandom;
import java.util.List;

/**
 * What the v2 and v3 sealers do alike at clip start (docs/FORMAT.md §10): check that signer, list and clip are of
 * one device, wrap the clip key to every recipient in list order, and sign the header.
 */
final class HeaderSealing {
    private HeaderSealing() {}

    /**
     * The recipients of {@code list}, after checking that the signer, the list and the clip are all of
     * {@code deviceId} and that the list keeps the rules of {@link RecipientLists#sign}.
     *
     * @throws IllegalArgumentException naming the clip and the problem otherwise
     */
    static List<RecipientPublicKey> recipients(DeviceSigner signer, RecipientList list, String deviceId, long clipId) {
        if (!signer.deviceId().equals(deviceId) || !list.getDeviceId().equals(deviceId)) {
            throw new IllegalArgumentException("clip " + clipId + " of device " + deviceId
                    + " cannot be sealed with the signing key of device " + signer.deviceId()
                    + " and the recipient list of device '" + RecipientLists.printable(list.getDeviceId()) + "'");
        }
        String problem = RecipientLists.problem(list);
        if (problem != null) {
            throw new IllegalArgumentException("clip " + clipId + " of device " + deviceId + ": " + problem);
        }
        return RecipientLists.recipients(list);
    }

    /**
     * Wraps {@code clipKey} to each recipient in order with the HPKE of its kem, drawing each one's randomness from
     * {@code random} (32 bytes for X25519, the 64-byte eseed for X-Wing).
     */
    static void wrapTo(
            ClipHeader.Builder header,
            List<RecipientPublicKey> recipients,
            byte[] clipKey,
            String deviceId,
            long clipId,
            SecureRandom random) {
        byte[] info = Contexts.wrapInfo(deviceId, clipId);
        for (RecipientPublicKey recipient : recipients) {
            byte[] keyId = recipient.keyId();
            Hpke.Sealed wrapped = Hpke.seal(recipient, info, keyId, clipKey, random);
            header.addWrappedKeys(WrappedKey.newBuilder()
                    .setRecipientKeyId(ByteString.copyFrom(keyId))
                    .setKem(recipient.kem())
                    .setEnc(ByteString.copyFrom(wrapped.enc()))
                    .setCiphertext(ByteString.copyFrom(wrapped.ciphertext())));
        }
    }

    /** The SignedClipHeader bytes: {@code header}'s bytes and the device's signature over them. */
    static byte[] sign(DeviceSigner signer, ClipHeader header) {
        byte[] inner = header.toByteArray();
        return SignedClipHeader.newBuilder()
                .setHeader(ByteString.copyFrom(inner))
                .setSignature(ByteString.copyFrom(signer.key().sign(Contexts.CLIP_HEADER, inner)))
                .build()
                .toByteArray();
    }
}
