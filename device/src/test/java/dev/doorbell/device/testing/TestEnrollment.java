package dev.doorbell.device.testing;

import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.DeviceFiles;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.EpochKeyFile;
import dev.doorbell.seal.keys.RootKey;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * For tests of modules that may not see the owner's side: gives each provisioned device the first epoch key of a
 * fresh root key drawn from {@code random}, as the owner's enrolment does (so that a seeded fleet draws the same
 * bytes), but keeps no root key: nothing these devices seal can be opened.
 */
public final class TestEnrollment implements DeviceEnrollment {
    private final SecureRandom random;

    public TestEnrollment(SecureRandom random) {
        this.random = random;
    }

    /** A fleet of devices {@code ids} under {@code dir}, valid from now, enrolled this way. */
    public static FleetLayout provision(Path dir, List<String> ids) throws Exception {
        ProvisionRequest request = ProvisionRequest.of(dir, 0).withDeviceIds(ids);
        return new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), new TestEnrollment(new SecureRandom()))
                .provision(request, (done, total) -> {})
                .layout();
    }

    @Override
    public void enroll(FleetLayout fleet, String deviceId, Path deviceDir) throws IOException {
        RootKey root = RootKey.generate(deviceId, random);
        EpochKey first = root.epochKey(0);
        try {
            EpochKeyFile.write(deviceDir.resolve(DeviceFiles.EPOCH_KEY), first, false);
        } finally {
            first.destroy();
            root.destroy();
        }
    }
}
