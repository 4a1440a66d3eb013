package dev.doorbell.pki;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What provisioning adds to each new device directory besides its TLS identity. The vendor's provisioning writes TLS
 * keys and certificates only; a content key, where a fleet needs one, comes from another party through this hook
 * (the doorbell command passes the owner's enrolment, docs/ARCHITECTURE.md), so that nothing in this module holds
 * or even names an owner's key.
 */
public interface DeviceEnrollment {
    /** Adds nothing: devices get their TLS identity only. */
    DeviceEnrollment NONE = (fleet, deviceId, deviceDir) -> {};

    /**
     * Writes the device's further files into {@code deviceDir}, which exists (0700). Files need not be forced to disk:
     * provisioning makes the whole fleet durable at once afterwards. Called from several threads, one device per call.
     */
    void enroll(FleetLayout fleet, String deviceId, Path deviceDir) throws IOException;

    /** Whether files of this device from an earlier run are present, so that {@code --add} refuses its id. */
    default boolean present(FleetLayout fleet, String deviceId) {
        return false;
    }
}
