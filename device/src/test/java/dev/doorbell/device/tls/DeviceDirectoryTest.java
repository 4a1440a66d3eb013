package dev.doorbell.device.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.testing.TestEnrollment;
import dev.doorbell.pki.FleetLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceDirectoryTest {
    @TempDir
    Path dir;

    private FleetLayout fleet;

    @BeforeEach
    void provision() throws Exception {
        fleet = TestEnrollment.provision(dir.resolve("fleet"), List.of("front", "back"));
    }

    @Test
    void load_provisionedDevice_readsIdAndFiles() {
        DeviceDirectory device = DeviceDirectory.load(fleet.device("front"));

        assertEquals("front", device.deviceId());
        assertEquals(fleet.device("front").resolve("device-cert.pem"), device.deviceCertFile());
        assertTrue(device.toString().contains("front"));
    }

    @Test
    void load_eachRequiredFileMissing_errorNamesFileAndPurpose() throws Exception {
        for (String name : List.of("ca-cert.pem", "device-cert.pem", "device-key.pem", "device.properties")) {
            Path file = fleet.device("front").resolve(name);
            Path aside = dir.resolve(name + ".aside");
            Files.move(file, aside);

            DeviceDirectoryException e =
                    assertThrows(DeviceDirectoryException.class, () -> DeviceDirectory.load(fleet.device("front")));

            assertTrue(e.getMessage().contains("missing or unreadable " + name + " ("), e.getMessage());
            assertTrue(e.getMessage().contains(fleet.device("front").toString()), e.getMessage());
            Files.move(aside, file);
        }
    }

    @Test
    void load_noSuchDirectory_errorSaysHowToMakeOne() {
        DeviceDirectoryException e =
                assertThrows(DeviceDirectoryException.class, () -> DeviceDirectory.load(fleet.device("nobody")));

        assertTrue(e.getMessage().contains("doorbell provision"), e.getMessage());
    }

    @Test
    void load_certificateOfAnotherDevice_errorNamesBothDevices() throws Exception {
        Files.copy(
                fleet.device("back").resolve("device-cert.pem"),
                fleet.device("front").resolve("device-cert.pem"),
                StandardCopyOption.REPLACE_EXISTING);

        DeviceDirectoryException e =
                assertThrows(DeviceDirectoryException.class, () -> DeviceDirectory.load(fleet.device("front")));

        assertTrue(e.getMessage().contains("'front'") && e.getMessage().contains("'back'"), e.getMessage());
    }

    @Test
    void load_invalidIdInProperties_errorStatesRule() throws Exception {
        Files.writeString(fleet.device("front").resolve("device.properties"), "device.id=Front Door\n");

        DeviceDirectoryException e =
                assertThrows(DeviceDirectoryException.class, () -> DeviceDirectory.load(fleet.device("front")));

        assertTrue(e.getMessage().contains("lowercase letters"), e.getMessage());
    }

    @Test
    void load_certificateFileNotPem_errorNamesFile() throws Exception {
        Files.writeString(fleet.device("front").resolve("device-cert.pem"), "not a certificate\n");

        DeviceDirectoryException e =
                assertThrows(DeviceDirectoryException.class, () -> DeviceDirectory.load(fleet.device("front")));

        assertTrue(e.getMessage().contains("device-cert.pem"), e.getMessage());
    }
}
