package dev.doorbell.pki;

import dev.doorbell.pki.ProvisionException.Code;
import dev.doorbell.proto.DeviceFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revokes device certificates of a fleet and (re)issues its CRL: records the revocation in {@code ca/revoked.txt}
 * (durably, first: it is the source of truth), then writes {@code uplink/crl.pem} signed by the fleet CA with the
 * next CRL number and a fresh thisUpdate/nextUpdate. The uplink takes the new file within seconds. Revoking a
 * device that is already revoked adds nothing and issues the CRL again with fresh dates: that is how a CRL is
 * renewed before its nextUpdate.
 */
public final class CrlPublisher {
    public static final String CRL_FILE = "crl.pem";
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);

    private static final Logger log = LoggerFactory.getLogger(CrlPublisher.class);

    /** What {@link #revoke} did. */
    public record Revocation(
            CrlEntry entry,
            boolean alreadyRevoked,
            BigInteger crlNumber,
            int revokedCount,
            Instant nextUpdate,
            Path crlFile) {}

    private final SecureRandom random;
    private final Clock clock;

    public CrlPublisher(SecureRandom random, Clock clock) {
        this.random = random;
        this.clock = clock;
    }

    /** Revokes the certificate in {@code devices/<id>/}. Refuses, naming the path, a device not of this fleet. */
    public Revocation revoke(Path fleet, String deviceId, CrlReason reason, Duration validity)
            throws ProvisionException {
        FleetLayout layout = new FleetLayout(fleet);
        for (Path needed : List.of(layout.caCert(), layout.caKey(), layout.uplinkDir())) {
            if (!Files.exists(needed)) {
                throw new ProvisionException(
                        Code.NOT_A_FLEET, fleet + " is not a fleet made by provision: " + needed + " is missing");
            }
        }
        if (validity.isNegative() || validity.isZero()) {
            throw new ProvisionException(Code.INVALID_REQUEST, "the CRL validity must be positive, not " + validity);
        }
        Path certFile = (ConformanceDevices.isReserved(deviceId)
                        ? layout.conformanceDevice(deviceId)
                        : layout.device(deviceId))
                .resolve(DeviceFiles.DEVICE_CERT);
        if (!Files.isRegularFile(certFile)) {
            throw new ProvisionException(
                    Code.INVALID_REQUEST,
                    "device " + deviceId + " is not in the fleet at " + fleet + ": no certificate at " + certFile
                            + "; nothing was written");
        }
        try {
            FleetCa ca = FleetCa.load(layout.caCert(), layout.caKey());
            X509Certificate device = Pem.readCertificate(certFile);
            requireIssuedBy(device, ca, certFile);
            CrlLedger ledger = CrlLedger.read(layout.revokedList());
            Optional<CrlEntry> earlier = ledger.find(device.getSerialNumber());
            CrlEntry entry =
                    earlier.orElseGet(() -> new CrlEntry(device.getSerialNumber(), deviceId, clock.instant(), reason));
            CrlLedger next = ledger.next(Optional.of(entry));
            Instant nextUpdate = publish(layout, ca, next, validity);
            log.info(
                    "revoked device {} (serial {}); CRL number {} lists {}",
                    deviceId,
                    entry.serial().toString(16),
                    next.crlNumber(),
                    next.entries().size());
            return new Revocation(
                    entry,
                    earlier.isPresent(),
                    next.crlNumber(),
                    next.entries().size(),
                    nextUpdate,
                    layout.uplinkCrl());
        } catch (IOException e) {
            throw new ProvisionException(
                    Code.IO_FAILURE, "revoking device " + deviceId + " in " + fleet + " failed", e);
        }
    }

    /** Provision's first CRL: number 1, nothing revoked, so that the uplink always has a list to read. */
    void publishEmpty(FleetLayout layout, FleetCa ca) throws IOException {
        publish(layout, ca, CrlLedger.empty().next(Optional.empty()), DEFAULT_VALIDITY);
    }

    private Instant publish(FleetLayout layout, FleetCa ca, CrlLedger ledger, Duration validity) throws IOException {
        Instant now = clock.instant();
        Instant nextUpdate = now.plus(validity);
        X509CRL crl =
                ca.issueCrl(ledger.entries(), ledger.crlNumber(), now.minus(FleetCa.BACKDATE), nextUpdate, random);
        // Ledger first: a CRL is always re-made from it, never the other way round.
        PrivateFiles.writePrivate(layout.revokedList(), ledger.text().getBytes(StandardCharsets.UTF_8), true);
        PrivateFiles.writePublic(layout.uplinkCrl(), Pem.crl(crl));
        PrivateFiles.syncDirectory(layout.uplinkDir());
        return nextUpdate;
    }

    private static void requireIssuedBy(X509Certificate device, FleetCa ca, Path certFile) throws IOException {
        try {
            device.verify(ca.certificate().getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IOException(
                    certFile + " was not issued by this fleet's CA "
                            + ca.certificate().getSubjectX500Principal().getName(),
                    e);
        }
    }
}
