package dev.doorbell.seal.v2;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.proto.v1.DeviceKeyCertificate;
import dev.doorbell.proto.v1.SignedDeviceKeyCertificate;

/**
 * The owner's certificate, made at pairing, of the signing key a device made for itself (docs/FORMAT.md §11). Every
 * v2 clip header carries it, so that an opener who holds only the owner's public key knows the device's key.
 */
public final class DeviceKeyCertificates {
    private DeviceKeyCertificates() {}

    /** The SignedDeviceKeyCertificate bytes. */
    public static byte[] issue(SigningKey owner, String deviceId, VerifyingKey deviceKey, long pairedUnixMs) {
        DeviceIds.require(deviceId);
        byte[] certificate = DeviceKeyCertificate.newBuilder()
                .setDeviceId(deviceId)
                .setSigningPublicKey(ByteString.copyFrom(deviceKey.bytes()))
                .setPairedUnixMs(pairedUnixMs)
                .build()
                .toByteArray();
        return SignedDeviceKeyCertificate.newBuilder()
                .setCertificate(ByteString.copyFrom(certificate))
                .setSignature(ByteString.copyFrom(owner.sign(Contexts.DEVICE_KEY, certificate)))
                .build()
                .toByteArray();
    }

    /**
     * The device's signing key, when {@code signedCertificate} parses, its signature verifies under {@code owner}
     * (context "doorbell/v2/device-key"), it names {@code deviceId} and holds a 32-byte key.
     */
    public static VerifyingKey verify(VerifyingKey owner, String deviceId, byte[] signedCertificate)
            throws CertificateRefused {
        return parseVerified(owner, deviceId, signedCertificate).key();
    }

    /** A certificate that verified: the device, its key and when it was paired. */
    public record Verified(String deviceId, VerifyingKey key, long pairedUnixMs) {}

    /** As {@link #verify}, with the time of pairing. */
    public static Verified parseVerified(VerifyingKey owner, String deviceId, byte[] signedCertificate)
            throws CertificateRefused {
        String whose = "device key certificate of device " + deviceId;
        SignedDeviceKeyCertificate signed;
        try {
            signed = SignedDeviceKeyCertificate.parseFrom(signedCertificate);
        } catch (InvalidProtocolBufferException e) {
            throw new CertificateRefused(whose + " does not parse (" + signedCertificate.length + " bytes)");
        }
        byte[] certificateBytes = signed.getCertificate().toByteArray();
        if (!owner.verify(
                Contexts.DEVICE_KEY, certificateBytes, signed.getSignature().toByteArray())) {
            throw new CertificateRefused(whose + " is not signed by the owner's key " + owner.fingerprint());
        }
        DeviceKeyCertificate certificate;
        try {
            certificate = DeviceKeyCertificate.parseFrom(certificateBytes);
        } catch (InvalidProtocolBufferException e) {
            throw new CertificateRefused(whose + ": the signed bytes do not parse as a DeviceKeyCertificate");
        }
        if (!certificate.getDeviceId().equals(deviceId)) {
            throw new CertificateRefused(whose + " names device '" + RecipientLists.printable(certificate.getDeviceId())
                    + "' (signed by owner key " + owner.fingerprint() + ")");
        }
        if (certificate.getSigningPublicKey().size() != VerifyingKey.BYTES) {
            throw new CertificateRefused(whose + ": the signing key is "
                    + certificate.getSigningPublicKey().size() + " bytes, expected " + VerifyingKey.BYTES);
        }
        return new Verified(
                deviceId,
                new VerifyingKey(certificate.getSigningPublicKey().toByteArray()),
                certificate.getPairedUnixMs());
    }
}
