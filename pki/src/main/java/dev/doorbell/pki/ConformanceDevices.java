package dev.doorbell.pki;

import dev.doorbell.pki.ProvisionException.Code;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two devices reserved for {@code doorbell conformance}, {@code conformance-1} and {@code conformance-2}: the
 * suite uploads test clips, supersedes sessions and leaves clips open on purpose, so it runs as devices of their own,
 * never as a doorbell of the fleet. They live in {@code conformance/<id>/} (not in {@code devices/}, not in
 * {@code fleet.txt}, so that simulate, fleet and the benchmarks never run them), signed by the fleet CA, with what the
 * {@link DeviceEnrollment} adds like any device's; ids starting with {@link #PREFIX} are refused for anything else.
 */
public final class ConformanceDevices {
    public static final String PREFIX = "conformance-";
    public static final List<String> IDS = List.of(PREFIX + "1", PREFIX + "2");

    private static final Logger log = LoggerFactory.getLogger(ConformanceDevices.class);

    private final SecureRandom random;
    private final Clock clock;
    private final DeviceEnrollment enrollment;

    /** The devices get what {@code enrollment} adds besides their TLS identity (a content key, for the suite). */
    public ConformanceDevices(SecureRandom random, Clock clock, DeviceEnrollment enrollment) {
        this.random = random;
        this.clock = clock;
        this.enrollment = enrollment;
    }

    public static boolean isReserved(String deviceId) {
        return deviceId.startsWith(PREFIX);
    }

    /**
     * Adds both devices to the fleet at {@code root} with the fleet's CA; refuses, writing nothing, when it is not a
     * fleet or already has them. Returns their directories.
     */
    public List<Path> provision(Path root, Duration validity, int threads) throws ProvisionException {
        FleetLayout layout = new FleetLayout(root);
        for (Path needed : List.of(layout.caCert(), layout.caKey(), layout.fleetList())) {
            if (!Files.isRegularFile(needed)) {
                throw new ProvisionException(
                        Code.NOT_A_FLEET, root + " is not a fleet made by provision: " + needed + " is missing");
            }
        }
        for (String id : IDS) {
            if (Files.exists(layout.conformanceDevice(id)) || enrollment.present(layout, id)) {
                throw new ProvisionException(
                        Code.DEVICE_EXISTS,
                        "the fleet at " + root + " has its conformance devices " + "already ("
                                + layout.conformanceDevice(id) + "); nothing was written");
            }
        }
        try {
            FleetCa ca = FleetCa.load(layout.caCert(), layout.caKey());
            PrivateFiles.publicDirectory(layout.conformanceDir());
            FleetProvisioner.writeDevices(
                    new DeviceWriter(
                            layout, layout.conformanceDir(), ca, random, clock.instant(), validity, enrollment),
                    IDS,
                    threads,
                    (done, total) -> {});
            String how = FleetSync.sync(root, threads);
            log.info("conformance devices {} written to {} and made durable by {}", IDS, layout.conformanceDir(), how);
            return IDS.stream().map(layout::conformanceDevice).toList();
        } catch (IOException e) {
            throw new ProvisionException(
                    Code.IO_FAILURE, "provisioning the conformance devices in " + root + " failed", e);
        }
    }
}
