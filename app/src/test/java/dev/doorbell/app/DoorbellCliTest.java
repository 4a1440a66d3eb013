package dev.doorbell.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.pki.FleetLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command-line language of {@code doorbell}: every usage or I/O error exits 2 with one line that names the value
 * or path and what is wrong with it, never a Java exception name or "null"; help is complete and names every value.
 */
class DoorbellCliTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
        /** The one error line; fails unless there is exactly one and it is clean. */
        String errorLine() {
            List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), "expected one error line, got:\n" + err);
            String line = lines.get(0);
            for (String bad : List.of("Exception", "null", "For input string", "radix", "caused by", "PT")) {
                assertFalse(line.contains(bad), "'" + bad + "' in: " + line);
            }
            String prefix = line.substring(0, line.indexOf(':') + 1);
            assertFalse(
                    line.substring(prefix.length())
                            .trim()
                            .startsWith(prefix.replace(":", "").trim() + " "),
                    "the text repeats its prefix: " + line);
            return line;
        }
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private void assertUsageError(Result r, String... mentions) {
        assertEquals(2, r.exit(), r.out() + r.err());
        String line = r.errorLine();
        for (String m : mentions) {
            assertTrue(line.contains(m), "'" + m + "' not in: " + line);
        }
    }

    @Test
    void execute_unknownCommandWithHelp_exitTwoNamingIt() {
        Result r = run("watch", "--help");
        assertUsageError(r, "doorbell: unknown command 'watch'", "provision");
        assertEquals("", r.out());
    }

    @Test
    void execute_unknownCommandOrOption_exitTwoNamingIt() {
        assertUsageError(run("watch"), "unknown command 'watch'");
        assertUsageError(run("fleet", "owner"), "fleet: unknown command 'owner'", "merge");
        assertUsageError(run("provision", "--nope", "--help"), "provision: unknown option '--nope'");
    }

    // `owner` was an unknown command when issue 9 was filed (and printed the top-level help); it is a command group
    // now, so the same mistake one level down must still be named, and the group's help must be its own.
    @Test
    void execute_unknownCommandInsideAGroupWithHelp_exitTwoNamingItAndTheGroupsCommands() {
        Result owner = run("owner", "nosuch", "--help");
        assertUsageError(owner, "owner: unknown command 'nosuch'", "init", "viewer");
        assertEquals("", owner.out());
        Result viewer = run("owner", "viewer", "nosuch", "--help");
        assertUsageError(viewer, "owner viewer: unknown command 'nosuch'", "new", "remove");
        assertEquals("", viewer.out());
    }

    @Test
    void help_commandGroup_printsTheGroupsOwnHelp() {
        Result owner = run("owner", "--help");
        assertEquals(0, owner.exit(), owner.err());
        assertTrue(owner.out().startsWith("Usage: doorbell owner "), owner.out());
        assertTrue(owner.out().contains("viewer") && owner.out().contains("share"), owner.out());
        Result viewer = run("owner", "viewer", "--help");
        assertEquals(0, viewer.exit(), viewer.err());
        assertTrue(viewer.out().startsWith("Usage: doorbell owner viewer "), viewer.out());
    }

    @Test
    void execute_noCommand_exitTwoListingTheCommands() {
        assertUsageError(run(), "give a command", "simulate", "conformance");
    }

    @Test
    void provision_zeroDevices_refusedAndNothingWritten() {
        Path fleet = dir.resolve("fleet");
        assertUsageError(run("provision", "--devices", "0", "--out", fleet.toString()), "--devices", "0");
        assertFalse(Files.exists(fleet));
    }

    @Test
    void provision_notANumber_exitTwoOneLine() {
        assertUsageError(run("provision", "--devices", "x", "--out", dir.toString()), "--devices", "'x'");
    }

    @Test
    void provision_outUnderAFile_exitTwoNamingThePathAndReason() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertUsageError(
                run(
                        "provision",
                        "--devices",
                        "1",
                        "--out",
                        file.resolve("fleet").toString()),
                file.toString(),
                "not a directory");
    }

    @Test
    void provision_validity_takesADuration() throws Exception {
        assertUsageError(
                run("provision", "--devices", "1", "--out", dir.resolve("f").toString(), "--validity", "30"),
                "--validity",
                "30d");
        Result ok = run("provision", "--devices", "1", "--out", dir.resolve("f").toString(), "--validity", "30d");
        assertEquals(0, ok.exit(), ok.err());
    }

    @Test
    void revoke_fleetThatCannotBeWritten_exitTwoNamingThePath() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertUsageError(run("revoke", "--fleet-dir", file.toString(), "--device", "doorbell-0001"), file.toString());
        assertUsageError(
                run("revoke", "--fleet-dir", dir.toString(), "--device", "doorbell-0001", "--crl-validity", "0s"),
                "--crl-validity");
    }

    @Test
    void open_clipNotHex_exitTwoNamingTheValue() throws Exception {
        Path fleet = provisioned(1);
        assertUsageError(
                run(
                        "open",
                        "--store",
                        dir.resolve("store").toString(),
                        "--identity",
                        PairedFleets.ownerDir(new FleetLayout(fleet)).toString(),
                        "--out",
                        dir.resolve("out").toString(),
                        "--clip",
                        "xyz"),
                "--clip",
                "'xyz'",
                "hex");
    }

    @Test
    void open_outUnderAFile_exitTwoNamingThePath() throws Exception {
        Path fleet = provisioned(1);
        Path store = Files.createDirectories(dir.resolve("store").resolve("segments"));
        Files.writeString(store.getParent().resolve("doorbell-store"), "doorbell-store v2\n");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertUsageError(
                run(
                        "open",
                        "--store",
                        store.getParent().toString(),
                        "--identity",
                        PairedFleets.ownerDir(new FleetLayout(fleet)).toString(),
                        "--out",
                        file.resolve("out").toString()),
                file.toString());
    }

    @Test
    void simulate_devicesDirMissing_exitTwoNamingThePathAndReason() {
        Path missing = dir.resolve("missing");
        assertUsageError(
                run("simulate", "--devices-dir", missing.toString()), missing.toString(), "no such file or directory");
    }

    @Test
    void simulate_badValues_exitTwoNamingEach() throws Exception {
        Path devices = provisioned(1).resolve("devices");
        assertUsageError(
                run("simulate", "--devices-dir", devices.toString(), "--uplink", "127.0.0.1:xyz"), "--uplink", "xyz");
        assertUsageError(run("simulate", "--devices-dir", devices.toString(), "--uplink", "127.0.0.1"), "HOST:PORT");
        assertUsageError(run("simulate", "--devices-dir", devices.toString(), "--duration", "30"), "--duration", "30s");
        assertUsageError(run("simulate", "--devices-dir", devices.toString(), "--ring-at", "nobody=3s"), "nobody");
        assertUsageError(run("simulate", "--devices-dir", devices.toString(), "--ring-at", "doorbell-0001=8"), "8s");
        assertUsageError(run("simulate"), "--devices-dir");
    }

    @Test
    void simulateAndFleet_padNotABucket_exitTwoNamingTheValueAndTheRule() throws Exception {
        Path devices = Files.createDirectories(dir.resolve("devices"));
        for (String bad : List.of("100", "63", "4097", "2097152", "4k")) {
            assertUsageError(
                    run("simulate", "--devices-dir", devices.toString(), "--pad", bad),
                    "--pad",
                    "'" + bad + "'",
                    "multiple of 16",
                    "4096");
            assertUsageError(
                    run("fleet", "--devices", "1", "--uplink", "127.0.0.1:9", "--pad", bad),
                    "--pad",
                    "'" + bad + "'",
                    "multiple of 16");
        }
    }

    @Test
    void conformance_devicesDirMissing_exitTwoNamingThePath() {
        Path missing = dir.resolve("missing");
        assertUsageError(
                run("conformance", "--uplink", "127.0.0.1:9", "--devices-dir", missing.toString()),
                missing.toString(),
                "no such file or directory");
    }

    @Test
    void conformance_list_needsNoUplinkOrDevices() {
        Result r = run("conformance", "--list");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("valid-session") && r.out().contains("handshake-timeout"), r.out());
    }

    @Test
    void faultProxy_unresolvableOrBadAddress_exitTwoNamingIt() {
        assertUsageError(run("fault-proxy", "--target", "nosuch.invalid:80", "--duration", "1s"), "nosuch.invalid");
        assertUsageError(run("fault-proxy", "--target", "127.0.0.1:xyz"), "--target", "xyz");
        assertUsageError(run("fault-proxy", "--target", "127.0.0.1:9", "--max-connections", "0"), "--max-connections");
    }

    @Test
    void crashPoints_unknownPointOrNothingToDo_exitTwoNamingIt() {
        assertUsageError(
                run("simulate", "--device-dir", dir.toString(), "--insecure-crash-at", "clip-start.renamd"),
                "--insecure-crash-at",
                "unknown crash point 'clip-start.renamd'",
                "clip-start.renamed");
        assertUsageError(
                run(
                        "crash-device",
                        "--device-dir",
                        dir.toString(),
                        "--uplink",
                        "127.0.0.1:9",
                        "--store",
                        dir.toString(),
                        "--identity",
                        dir.toString()),
                "give --crash-at POINT, --all-points or --kills N");
    }

    @Test
    void fleet_rampNotARate_exitTwoNamingIt() {
        assertUsageError(run("fleet", "--devices", "2", "--ramp", "abc"), "--ramp", "'abc'", "500/s");
    }

    @Test
    void faultProxy_durationOutOfRange_saysItInTheOptionsSyntax() {
        assertUsageError(
                run("fault-proxy", "--target", "127.0.0.1:9", "--stall-max", "10m"), "--stall-max", "5m", "10m");
    }

    @Test
    void simulate_unpairedDevice_exitTwoOneLineSayingToPairIt() throws Exception {
        Path fleet = PairedFleets.provisionOnly(dir.resolve("unpaired"), 1).root();

        Result r = run(
                "simulate",
                "--devices-dir",
                fleet.resolve("devices").toString(),
                "--uplink",
                "127.0.0.1:9",
                "--duration",
                "1s");

        assertUsageError(r, "not paired (no signing.key)", "pair it with `doorbell pair --owner OWNER --device ");
    }

    @Test
    void fleet_unpairedFleet_exitTwoOneLineSayingToPairIt() throws Exception {
        Path fleet = PairedFleets.provisionOnly(dir.resolve("unpaired"), 1).root();

        Result r = run(
                "fleet",
                "--devices",
                "1",
                "--fleet-dir",
                fleet.toString(),
                "--uplink",
                "127.0.0.1:9",
                "--duration",
                "1s",
                "--report",
                dir.resolve("report").toString());

        assertUsageError(r, "not paired (no signing.key)", "pair it with `doorbell pair --owner OWNER --device ");
    }

    @Test
    void simulate_ringAtWithoutOffset_exitTwoOneClearLine() throws Exception {
        Path devices = provisioned(1).resolve("devices");
        String line = run("simulate", "--devices-dir", devices.toString(), "--ring-at", "doorbell-0001")
                .errorLine();
        assertTrue(line.contains("'--ring-at'") && !line.contains("option option"), line);
    }

    @Test
    void version_everyCommand_printsTheVersion() {
        CommandLine root = DoorbellCli.commandLine();
        for (String command : root.getSubcommands().keySet()) {
            Result r = run(command, "--version");
            assertEquals(0, r.exit(), command + ": " + r.err());
            assertTrue(r.out().startsWith("doorbell "), command + " --version printed: " + r.out());
        }
    }

    @Test
    void help_everyCommand_completeSentencesAndNamedValues() {
        List<String> commands = new ArrayList<>(List.of(""));
        CommandLine root = DoorbellCli.commandLine();
        root.getSubcommands().forEach((name, sub) -> {
            commands.add(name);
            sub.getSubcommands().keySet().forEach(inner -> commands.add(name + " " + inner));
        });
        Pattern unnamed = Pattern.compile("=<([a-z]+[A-Z][A-Za-z]*|[a-z]+)>");
        for (String command : commands) {
            List<String> args = new ArrayList<>(command.isEmpty() ? List.of() : List.of(command.split(" ")));
            args.add("--help");
            Result r = run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), command + ": " + r.err());
            Matcher m = unnamed.matcher(r.out());
            assertFalse(
                    m.find(),
                    "'" + command + " --help' has an option value without a name: " + (m.find(0) ? m.group() : "")
                            + "\n" + r.out());
        }
        // The summaries in the command list are each description's first line: each must be a whole sentence.
        for (CommandLine sub : root.getSubcommands().values()) {
            String[] description = sub.getCommandSpec().usageMessage().description();
            assertTrue(
                    description[0].endsWith("."),
                    sub.getCommandName() + ": summary cut mid-sentence: " + description[0]);
        }
    }

    private Path provisioned(int devices) throws Exception {
        Path fleet = dir.resolve("fleet");
        PairedFleets.provision(fleet, devices);
        return fleet;
    }
}
