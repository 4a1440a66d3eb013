package dev.doorbell.fleet;

import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.owner.StoreOpener;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.seal.v2.ClipOpenerV2;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Fleets for tests, as `doorbell fleet` makes them: each device's TLS identity, then every device paired with one
 * owner ({@link FleetPairing}), whose directory opens what they send.
 */
public final class TestFleet {
    private TestFleet() {}

    /** Provisions {@code devices} devices in {@code root} and pairs them with one owner. */
    public static FleetLayout provision(Path root, int devices) throws Exception {
        FleetLayout fleet = new FleetLayout(root);
        SecureRandom random = new SecureRandom();
        new FleetProvisioner(random, Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(root, devices), (done, total) -> {});
        FleetPairing.pair(fleet, Files.readAllLines(fleet.fleetList()), 1, random, Clock.systemUTC());
        return fleet;
    }

    /** The directory of the owner the fleet's devices are paired with. */
    public static Path ownerDir(FleetLayout fleet) {
        return FleetPairing.ownerDir(fleet.root(), 1);
    }

    /** Opens the fleet's v2 clips as their owner does. */
    public static ClipOpenerV2 opener(FleetLayout fleet) {
        return new ClipOpenerV2(OwnerDirectory.load(ownerDir(fleet)));
    }

    /** The owner's store opener for the fleet's clips (format v2, the owner's directory). */
    public static StoreOpener storeOpener(FleetLayout fleet) {
        return new StoreOpener(null, opener(fleet));
    }

    /** Every device of {@code fleet}, in fleet.txt order. */
    public static List<DeviceDirectory> devices(FleetLayout fleet) throws IOException {
        List<DeviceDirectory> devices = new ArrayList<>();
        for (String id : Files.readAllLines(fleet.fleetList())) {
            devices.add(DeviceDirectory.load(fleet.device(id)));
        }
        return devices;
    }
}
