package dev.doorbell.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetProvisionerScaleTest {
    private static final int DEVICES = 1000;

    @TempDir
    Path dir;

    @Test
    void provision_thousandDevices_allWrittenWithDistinctSerials() throws Exception {
        FleetProvisioner provisioner =
                new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), new RecordingEnrollment());

        ProvisionResult result =
                provisioner.provision(ProvisionRequest.of(dir.resolve("fleet"), DEVICES), (d, t) -> {});

        // Timing is printed for the lead's notes, not asserted: the machine is shared by several builds.
        System.out.printf(
                "provisioned %d devices in %d ms with %d threads%n",
                DEVICES, result.elapsed().toMillis(), ProvisionRequest.defaultThreads());
        FleetLayout layout = result.layout();
        List<String> fleet = Files.readAllLines(layout.fleetList());
        assertEquals(DEVICES, fleet.size());
        assertEquals("doorbell-0001", fleet.get(0));
        assertEquals("doorbell-1000", fleet.get(DEVICES - 1));
        CertificateFactory certificates = CertificateFactory.getInstance("X.509");
        Set<BigInteger> serials = new HashSet<>();
        for (String id : fleet) {
            try (InputStream in = Files.newInputStream(layout.device(id).resolve("device-cert.pem"))) {
                serials.add(((X509Certificate) certificates.generateCertificate(in)).getSerialNumber());
            }
            assertTrue(Files.isRegularFile(layout.device(id).resolve(RecordingEnrollment.FILE)), id);
        }
        assertEquals(DEVICES, serials.size());
    }
}
