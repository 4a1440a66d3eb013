package dev.doorbell.seal.v2;

import dev.doorbell.proto.DeviceIds;
import java.util.Arrays;

/**
 * What a paired device signs its clip headers with: its id, its own signing key and the owner's certificate of that
 * key (the SignedDeviceKeyCertificate bytes from pairing, which travel in every header).
 */
public record DeviceSigner(String deviceId, SigningKey key, byte[] certificate) {
    public DeviceSigner {
        DeviceIds.require(deviceId);
        if (key == null) {
            throw new IllegalArgumentException("device " + deviceId + ": no signing key");
        }
        if (certificate == null || certificate.length == 0) {
            throw new IllegalArgumentException("device " + deviceId + ": no device key certificate");
        }
        certificate = certificate.clone();
    }

    /** A copy of the certificate bytes. */
    @Override
    public byte[] certificate() {
        return certificate.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceSigner other
                && deviceId.equals(other.deviceId)
                && key.equals(other.key)
                && Arrays.equals(certificate, other.certificate);
    }

    @Override
    public int hashCode() {
        return deviceId.hashCode();
    }

    @Override
    public String toString() {
        return "DeviceSigner{" + deviceId + ", key " + key.publicKey().fingerprint() + "}";
    }
}
