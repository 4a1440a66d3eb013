package dev.doorbell.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Stands in for another party's enrolment: writes {@code enrolled.txt} (0600) into each device directory. */
final class RecordingEnrollment implements DeviceEnrollment {
    static final String FILE = "enrolled.txt";

    final Set<String> enrolled = ConcurrentHashMap.newKeySet();
    final Set<String> presentBefore = ConcurrentHashMap.newKeySet();

    @Override
    public void enroll(FleetLayout fleet, String deviceId, Path deviceDir) throws IOException {
        Files.writeString(
                Files.createFile(
                        deviceDir.resolve(FILE),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                deviceId + "\n",
                StandardCharsets.UTF_8);
        enrolled.add(deviceId);
    }

    @Override
    public boolean present(FleetLayout fleet, String deviceId) {
        return presentBefore.contains(deviceId);
    }
}
