package dev.doorbell.fleet;

import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Fleets for tests, as `doorbell provision` makes them: each device's identity and epoch key, the owner's keyring. */
public final class TestFleet {
    private TestFleet() {}

    /** Provisions {@code devices} devices in {@code root}. */
    public static FleetLayout provision(Path root, int devices) throws Exception {
        FleetLayout fleet = new FleetLayout(root);
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), new OwnerEnrollment(new SecureRandom()))
                .provision(ProvisionRequest.of(root, devices), (done, total) -> {});
        return fleet;
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
