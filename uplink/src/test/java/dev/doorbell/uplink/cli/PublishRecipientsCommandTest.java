package dev.doorbell.uplink.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.uplink.recipients.RecipientListFiles;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.testing.InMemoryClipStore;
import dev.doorbell.uplink.testing.Messages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code publish-recipients}: files each list under its device, keeps the highest version, refuses what is no list. */
class PublishRecipientsCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = UplinkCli.commandLine(new ServeCommand(d -> new InMemoryClipStore()));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path list(String name, String deviceId, long version) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, Messages.signedList(deviceId, version));
        return file;
    }

    @Test
    void publish_twoDevices_eachStoredUnderItsId0600() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));

        int exit = run(
                "publish-recipients",
                "--data",
                data.toString(),
                list("a.list", "dev-a", 1).toString(),
                list("b.list", "dev-b", 3).toString());

        assertEquals(0, exit, err.toString());
        assertTrue(out.toString().contains("device dev-a: version 1 published"), out.toString());
        assertTrue(out.toString().contains("device dev-b: version 3 published"), out.toString());
        Path stored = data.resolve(RecipientListFiles.FOLDER).resolve("dev-b.list");
        assertArrayEquals(Messages.signedList("dev-b", 3), Files.readAllBytes(stored));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)));
        assertEquals(
                "rwx------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(RecipientListFiles.FOLDER))));
    }

    @Test
    void publish_olderAfterNewer_newerKeptAndSaid() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        assertEquals(
                0,
                run(
                        "publish-recipients",
                        "--data",
                        data.toString(),
                        list("v4", "dev-a", 4).toString()));

        int exit = run(
                "publish-recipients",
                "--data",
                data.toString(),
                list("v2", "dev-a", 2).toString());

        assertEquals(0, exit, err.toString());
        assertTrue(
                out.toString()
                        .contains("device dev-a: version 4 kept; " + dir.resolve("v2") + " has version 2, "
                                + "not newer"),
                out.toString());
        assertArrayEquals(
                Messages.signedList("dev-a", 4),
                Files.readAllBytes(data.resolve(RecipientListFiles.FOLDER).resolve("dev-a.list")));
        assertEquals(
                0,
                run(
                        "publish-recipients",
                        "--data",
                        data.toString(),
                        list("v5", "dev-a", 5).toString()));
        assertTrue(out.toString().contains("device dev-a: version 5 published (replaces version 4)"), out.toString());
    }

    @Test
    void publish_notARecipientList_exitTwoNamingTheFileAndTheOthersStillPublished() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path junk = dir.resolve("junk.list");
        Files.write(junk, new byte[] {0x0a, 0x7f, 1});

        int exit = run(
                "publish-recipients",
                "--data",
                data.toString(),
                junk.toString(),
                list("a", "dev-a", 1).toString());

        assertEquals(2, exit);
        assertTrue(
                err.toString().startsWith("publish-recipients: " + junk + ": not a SignedRecipientList"),
                err.toString());
        assertTrue(out.toString().contains("device dev-a: version 1 published"), out.toString());
    }

    @Test
    void publish_listWithoutDeviceIdOrVersion_refused() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));

        assertEquals(
                2,
                run(
                        "publish-recipients",
                        "--data",
                        data.toString(),
                        list("x", "../etc", 1).toString()));
        assertTrue(err.toString().contains("names no valid device id"), err.toString());
        assertEquals(
                2,
                run(
                        "publish-recipients",
                        "--data",
                        data.toString(),
                        list("y", "dev-a", 0).toString()));
        assertTrue(err.toString().contains("has version 0"), err.toString());
        assertFalse(Files.exists(data.resolve(RecipientListFiles.FOLDER).resolve("dev-a.list")));
    }

    @Test
    void publish_beforeTheFirstServe_theStoreIsStillMadeThere() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        assertEquals(
                0,
                run(
                        "publish-recipients",
                        "--data",
                        data.toString(),
                        list("a", "dev-a", 1).toString()));

        try (DirectoryStore store = DirectoryStore.open(data, StoreOptions.defaults())) {
            assertTrue(Files.exists(data.resolve(RecipientListFiles.FOLDER).resolve("dev-a.list")), "kept");
        }
    }

    @Test
    void publish_noSuchDataDirectory_exitTwoNamingIt() throws Exception {
        Path missing = dir.resolve("missing");

        assertEquals(
                2,
                run(
                        "publish-recipients",
                        "--data",
                        missing.toString(),
                        list("a", "dev-a", 1).toString()));
        assertTrue(err.toString().contains(missing.toString()), err.toString());
    }
}
