package dev.doorbell.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.testing.OwnerSecrets;
import dev.doorbell.device.tls.DeviceLock;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.DeviceFiles;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedRecipientList;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PairCommandTest {
    @TempDir
    Path dir;

    private FleetLayout fleet;
    private Path owner;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void provisionAndInit() throws Exception {
        fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 3), (done, total) -> {});
        owner = dir.resolve("owner");
        OwnerDirectory.init(owner, new SecureRandom()).owner().destroy();
    }

    @Test
    void pair_devicesDir_deviceGetsOnlyPublicKeysCertificateListAndItsOwnKey() throws Exception {
        Set<String> provisioned = names(fleet.device("doorbell-0001"));

        assertEquals(
                0,
                run(
                        "pair",
                        "--owner",
                        owner.toString(),
                        "--devices-dir",
                        fleet.devicesDir().toString()),
                err.toString());

        assertTrue(out.toString().startsWith("paired 3 devices with " + owner), out.toString());
        for (String id : List.of("doorbell-0001", "doorbell-0002", "doorbell-0003")) {
            Path device = fleet.device(id);
            Set<String> expected = new TreeSet<>(provisioned);
            expected.addAll(List.of(
                    DeviceFiles.SIGNING_KEY,
                    DeviceFiles.OWNER_PUB,
                    DeviceFiles.DEVICE_KEY_CERT,
                    DeviceFiles.RECIPIENTS_LIST,
                    DeviceFiles.LOCK));
            assertEquals(expected, names(device), id);
            assertEquals("rw-------", mode(device.resolve(DeviceFiles.SIGNING_KEY)), id);
            // Pairing held the device's lock while it wrote: the file names the process, and holds nothing else.
            String lock = Files.readString(device.resolve(DeviceFiles.LOCK));
            assertTrue(lock.matches("pid=" + ProcessHandle.current().pid() + " host=\\S+ started=\\S+Z\n"), lock);
            assertEquals("rw-------", mode(device.resolve(DeviceFiles.LOCK)), id);
            assertArrayEquals(
                    Files.readAllBytes(owner.resolve(OwnerDirectory.PUBLIC_FILE)),
                    Files.readAllBytes(device.resolve(DeviceFiles.OWNER_PUB)),
                    "the device's owner.pub is the owner's public file");
            assertArrayEquals(
                    Files.readAllBytes(owner.resolve("devices").resolve(id + ".cert")),
                    Files.readAllBytes(device.resolve(DeviceFiles.DEVICE_KEY_CERT)));
            byte[] list = Files.readAllBytes(device.resolve(DeviceFiles.RECIPIENTS_LIST));
            assertArrayEquals(Files.readAllBytes(owner.resolve("lists").resolve(id + ".list")), list);
            RecipientList first =
                    RecipientList.parseFrom(SignedRecipientList.parseFrom(list).getList());
            assertEquals(1, first.getVersion());
            assertEquals(id, first.getDeviceId());
            assertTrue(OwnerSecrets.of(owner).assertNoneUnder(device) >= 8, id);
        }
    }

    @Test
    void pair_again_refusedAndNothingWritten() throws Exception {
        assertEquals(
                0,
                run(
                        "pair",
                        "--owner",
                        owner.toString(),
                        "--device",
                        fleet.device("doorbell-0001").toString()));
        byte[] before = Files.readAllBytes(fleet.device("doorbell-0001").resolve(DeviceFiles.SIGNING_KEY));

        int exit = run(
                "pair",
                "--owner",
                owner.toString(),
                "--devices-dir",
                fleet.devicesDir().toString());

        assertEquals(2, exit);
        assertTrue(
                err.toString().contains("doorbell-0001") && err.toString().contains("already paired"), err.toString());
        assertTrue(err.toString().contains("nothing was written"), err.toString());
        assertFalse(Files.exists(fleet.device("doorbell-0002").resolve(DeviceFiles.SIGNING_KEY)));
        assertArrayEquals(
                before, Files.readAllBytes(fleet.device("doorbell-0001").resolve(DeviceFiles.SIGNING_KEY)));
    }

    @Test
    void pair_aDeviceDirectoryInUse_refusedAndNothingWrittenToAnyDevice() throws Exception {
        Path held = fleet.device("doorbell-0002");
        try (DeviceLock running = DeviceLock.acquire(held)) {
            int exit = run(
                    "pair",
                    "--owner",
                    owner.toString(),
                    "--devices-dir",
                    fleet.devicesDir().toString());

            assertEquals(2, exit, out.toString());
            assertEquals(
                    "pair: device directory " + held + " is in use by this process (pid "
                            + ProcessHandle.current().pid() + "); one device directory, one device\n",
                    err.toString());
        }
        for (String id : List.of("doorbell-0001", "doorbell-0002", "doorbell-0003")) {
            assertFalse(Files.exists(fleet.device(id).resolve(DeviceFiles.SIGNING_KEY)), id);
        }
        assertTrue(names(owner.resolve(OwnerDirectory.DEVICES)).isEmpty(), "the owner certified nothing");
    }

    @Test
    void pair_notADeviceDirectory_exitTwoNamingIt() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertEquals(2, run("pair", "--owner", owner.toString(), "--device", empty.toString()));
        assertTrue(err.toString().startsWith("pair: ") && err.toString().contains(empty.toString()), err.toString());
        assertEquals(2, run("pair", "--owner", dir.resolve("none").toString(), "--device", empty.toString()));
        assertEquals(2, run("pair", "--owner", owner.toString()));
    }

    private static Set<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return new TreeSet<>(files.map(f -> f.getFileName().toString()).toList());
        }
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private int run(String... args) {
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }
}
