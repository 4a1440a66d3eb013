package dev.doorbell.device.testing;

import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/** Provisioning for tests of the device: TLS identities only, as the vendor writes them; pair with {@link TestOwner}. */
public final class TestEnrollment {
    private TestEnrollment() {}

    /** A fleet of devices {@code ids} under {@code dir}, valid from now, not paired. */
    public static FleetLayout provision(Path dir, List<String> ids) throws Exception {
        ProvisionRequest request = ProvisionRequest.of(dir, 0).withDeviceIds(ids);
        return new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(request, (done, total) -> {})
                .layout();
    }
}
