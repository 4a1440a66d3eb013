package dev.doorbell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet pairs what it provisions: device i with owner i mod N + 1, each device loadable as paired and trusting its
 * own owner only, each owner holding the certificates and lists of its own devices. {@code -Ddoorbell.pairing.devices}
 * (default 30) and {@code -Ddoorbell.pairing.owners} (default 3) make it the measurement of docs/FLEET.md.
 */
class FleetPairingTest {
    private static final int DEVICES = Integer.getInteger("doorbell.pairing.devices", 30);
    private static final int OWNERS = Integer.getInteger("doorbell.pairing.owners", 3);

    @TempDir
    Path dir;

    @Test
    void pair_provisionedFleet_eachDeviceWithItsOwnerAndOpenableByItOnly() throws Exception {
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        SecureRandom random = new SecureRandom();
        long t0 = System.nanoTime();
        new FleetProvisioner(random, Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), DEVICES), (done, total) -> {});
        double provisioned = (System.nanoTime() - t0) / 1e9;
        List<String> ids = Files.readAllLines(fleet.fleetList());

        double seconds = FleetPairing.pair(fleet, ids, OWNERS, random, Clock.systemUTC());

        System.out.printf(
                "FleetPairingTest: provisioned %d devices in %.2f s, paired them with %d owners in %.2f s (%.0f/s)%n",
                DEVICES, provisioned, OWNERS, seconds, DEVICES / seconds);
        for (int k = 1; k <= OWNERS; k++) {
            Path phrase = fleet.root().resolve(FleetPairing.OWNERS).resolve("owner-" + k + ".phrase");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(phrase)));
            assertEquals(24, Files.readString(phrase).strip().split(" ").length, "a 24-word phrase");
        }
        List<OwnerDirectory> owners = new java.util.ArrayList<>();
        for (int k = 1; k <= OWNERS; k++) {
            owners.add(OwnerDirectory.load(FleetPairing.ownerDir(fleet.root(), k)));
        }
        for (int i = 0; i < ids.size(); i += Math.max(1, ids.size() / 50)) {
            PairedDevice device = DevicePairing.load(fleet.device(ids.get(i)));
            int k = FleetPairing.ownerOf(i, OWNERS);
            assertEquals(owners.get(k - 1).ownerKey(), device.ownerKey(), ids.get(i) + " trusts owner " + k);
            assertEquals(1, device.heldVersion());
            for (int other = 1; other <= OWNERS; other++) {
                assertEquals(
                        other == k,
                        owners.get(other - 1).pairedDeviceKey(ids.get(i)).isPresent(),
                        "owner " + other + " has the certificate of " + ids.get(i) + " only if it is its owner");
            }
            device.destroy();
        }
        owners.forEach(OwnerDirectory::destroy);
        assertFalse(Files.exists(fleet.root().resolve("owner").resolve("keyring")), "no v1 keyring");
        assertTrue(seconds < Math.max(30, DEVICES / 200.0), "paired " + DEVICES + " in " + seconds + " s");
    }
}
