package dev.doorbell.pki;

import dev.doorbell.proto.DeviceIds;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * One revoked device certificate, as {@code ca/revoked.txt} records it and the CRL lists it.
 *
 * @param serial the certificate's serial number
 * @param deviceId the device the certificate named (the CRL itself carries only the serial)
 * @param revokedAt when {@code doorbell revoke} ran
 * @param reason why
 */
public record CrlEntry(BigInteger serial, String deviceId, Instant revokedAt, CrlReason reason) {
    public CrlEntry {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(reason, "reason");
        if (serial.signum() <= 0) {
            throw new IllegalArgumentException("a certificate serial is positive, not " + serial);
        }
        if (!DeviceIds.isValid(deviceId)) {
            throw new IllegalArgumentException("not a device id: " + deviceId);
        }
    }
}
