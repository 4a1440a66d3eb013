package dev.doorbell.app.testing;

import dev.doorbell.fleet.FleetPairing;
import dev.doorbell.pki.ConformanceDevices;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fleets for the end-to-end tests as an operator makes them now: provisioned (TLS identities only), then every device
 * paired with one owner in {@code FLEET/owners/owner-1} ({@link FleetPairing}, as `doorbell fleet` pairs).
 */
public final class PairedFleets {
    private PairedFleets() {}

    /** {@code devices} doorbells, provisioned and paired. */
    public static FleetLayout provision(Path root, int devices) throws Exception {
        FleetLayout fleet = provisionOnly(root, devices);
        FleetPairing.pair(fleet, Files.readAllLines(fleet.fleetList()), 1, new SecureRandom(), Clock.systemUTC());
        return fleet;
    }

    /** {@code devices} doorbells and the two conformance devices, provisioned and paired with one owner. */
    public static FleetLayout provisionWithConformance(Path root, int devices) throws Exception {
        FleetLayout fleet = provisionOnly(root, devices);
        List<Path> dirs = new ArrayList<>();
        for (String id : Files.readAllLines(fleet.fleetList())) {
            dirs.add(fleet.device(id));
        }
        dirs.addAll(new ConformanceDevices(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(root, Duration.ofDays(1), 2));
        FleetPairing.pairDirectories(fleet, dirs, 1, new SecureRandom(), Clock.systemUTC());
        return fleet;
    }

    /** Provisioned only: the devices are not paired (what `simulate` and `fleet` refuse). */
    public static FleetLayout provisionOnly(Path root, int devices) throws Exception {
        return new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(root, devices), (done, total) -> {})
                .layout();
    }

    /** The one owner's directory. */
    public static Path ownerDir(FleetLayout fleet) {
        return FleetPairing.ownerDir(fleet.root(), 1);
    }
}
