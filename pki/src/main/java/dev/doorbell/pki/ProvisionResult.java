package dev.doorbell.pki;

import java.time.Duration;
import java.util.List;

/**
 * What one run of {@code provision} did.
 *
 * @param layout where the fleet is
 * @param added the devices made by this run, in order
 * @param fleetSize devices in the fleet after this run
 * @param elapsed wall time of the run
 */
public record ProvisionResult(FleetLayout layout, List<String> added, int fleetSize, Duration elapsed) {
    public ProvisionResult {
        added = List.copyOf(added);
    }
}
