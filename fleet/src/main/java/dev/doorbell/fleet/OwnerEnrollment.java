package dev.doorbell.fleet;

import dev.doorbell.owner.keyring.ContentKeyWriter;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Format v1 only, for tests that make v1 stores (v1 clips are still opened with {@code open --keyring}): each new
 * device gets its first epoch key, the owner's keyring in the fleet gets its root key (docs/FORMAT.md §5). Devices no
 * longer seal v1: the fleet pairs what it provisions ({@link FleetPairing}) and devices seal format v2. It lives here, in the first module that sees both parties, because neither may see the
 * other: the vendor's provisioning names no owner's key type, the owner's side does not depend on the vendor's.
 */
public final class OwnerEnrollment implements DeviceEnrollment {
    private final SecureRandom random;

    /** Draws each root key from {@code random} (the provisioner's own, so that a seeded fleet stays reproducible). */
    public OwnerEnrollment(SecureRandom random) {
        this.random = random;
    }

    @Override
    public void enroll(FleetLayout fleet, String deviceId, Path deviceDir) throws IOException {
        new ContentKeyWriter(random, fleet.ownerKeyringDir()).write(deviceId, deviceDir);
    }

    @Override
    public boolean present(FleetLayout fleet, String deviceId) {
        return new ContentKeyWriter(random, fleet.ownerKeyringDir()).holds(deviceId);
    }
}
