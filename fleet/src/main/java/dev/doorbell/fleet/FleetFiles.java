package dev.doorbell.fleet;

import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionException;
import dev.doorbell.pki.ProvisionRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet directory of a run: provisioned and paired on first use ({@link FleetPairing}), reused after, its first N
 * ids in fleet.txt order.
 */
final class FleetFiles {
    private static final Logger log = LoggerFactory.getLogger(FleetFiles.class);

    private FleetFiles() {}

    /**
     * The first {@code devices} ids of the fleet in {@code dir}, provisioning that many devices there when it has no
     * fleet yet. Fails when the fleet exists but is smaller: silently adding devices to a fleet others share would
     * give the machines of a sharded run different fleets.
     */
    static List<String> deviceIds(Path dir, int devices, int owners, SecureRandom random, Clock clock)
            throws IOException {
        FleetLayout layout = new FleetLayout(dir);
        if (!Files.exists(layout.fleetList())) {
            long t0 = System.nanoTime();
            try {
                new FleetProvisioner(random, clock, DeviceEnrollment.NONE)
                        .provision(ProvisionRequest.of(dir, devices), (done, total) -> {});
            } catch (ProvisionException e) {
                throw new IOException("cannot provision " + devices + " devices in " + dir + ": " + e.getMessage(), e);
            }
            log.info("provisioned {} devices in {} in {} ms", devices, dir, (System.nanoTime() - t0) / 1_000_000);
            FleetPairing.pair(layout, readIds(layout), owners, random, clock);
        }
        List<String> ids = readIds(layout);
        if (ids.size() < devices) {
            throw new IOException("the fleet in " + dir + " has " + ids.size() + " devices, fewer than the " + devices
                    + " asked for; provision more with `doorbell provision --add`");
        }
        return ids.subList(0, devices);
    }

    private static List<String> readIds(FleetLayout layout) throws IOException {
        return Files.readAllLines(layout.fleetList()).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    static Path deviceDir(Path fleetDir, String id) {
        return new FleetLayout(fleetDir).device(id);
    }
}
