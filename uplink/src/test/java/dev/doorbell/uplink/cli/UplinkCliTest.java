package dev.doorbell.uplink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.testing.PortFiles;
import dev.doorbell.testing.TestPki;
import dev.doorbell.uplink.testing.InMemoryClipStore;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class UplinkCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine cli(ServeCommand serve) {
        CommandLine cli = UplinkCli.commandLine(serve);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    private CommandLine cli() {
        return cli(new ServeCommand(dir -> new InMemoryClipStore()));
    }

    @Test
    void help_everyCommand_exitZeroWithUsage() {
        assertEquals(0, cli().execute("--help"));
        assertTrue(out.toString().contains("serve"), out.toString());
        assertEquals(0, cli().execute("serve", "--help"));
        assertTrue(out.toString().contains("--port-file")
                && out.toString().contains("--insecure-plaintext-for-debugging"));
    }

    @Test
    void version_everyCommand_exitZero() {
        assertEquals(0, cli().execute("--version"));
        assertEquals(0, cli().execute("serve", "--version"));
        assertTrue(out.toString().contains("doorbell-uplink"), out.toString());
    }

    @Test
    void execute_noCommandOrUnknownOption_exitTwoOneLine() {
        assertEquals(2, cli().execute());
        assertTrue(errorLine().contains("give a command: serve"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, cli().execute("serve", "--data", "x", "--no-such-option"));
        assertTrue(errorLine().contains("unknown option '--no-such-option'"), err.toString());
    }

    /** `store verify` is issue 6's fsck under the store tools: its usage and the list of store commands say verify. */
    @Test
    void storeVerify_namedVerifyInItsUsageAndInTheStoreCommandsList() {
        assertEquals(0, cli().execute("store", "verify", "--help"));
        assertTrue(out.toString().startsWith("Usage: doorbell-uplink store verify "), out.toString());
        assertEquals(2, cli().execute("store", "nosuch"));
        assertTrue(errorLine().contains("the commands are list, expire, delete, verify"), err.toString());
    }

    /**
     * The error line of a command that failed without a message tells the user to run it with
     * -Ddoorbell.log.level=DEBUG (CliErrors, shared with the doorbell command): the uplink's logging must obey it.
     */
    @Test
    void logbackXml_doorbellLogLevelProperty_setsTheLevelOfTheProjectsLoggers() throws Exception {
        assertEquals(Level.DEBUG, configuredLevel("DEBUG"));
        assertEquals(Level.WARN, configuredLevel("WARN"));
        assertEquals(Level.INFO, configuredLevel(null));
    }

    private static Level configuredLevel(String property) throws JoranException {
        URL config = UplinkCli.class.getResource("/logback.xml");
        assertTrue(config != null && config.getPath().contains("uplink"), "the uplink's logback.xml: " + config);
        LoggerContext context = new LoggerContext();
        if (property != null) {
            context.putProperty("doorbell.log.level", property);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(config);
        return context.getLogger("dev.doorbell").getLevel();
    }

    @Test
    void serve_withoutTlsOrPlaintext_nonZeroNamingTls(@TempDir Path dir) {
        assertEquals(2, cli().execute("serve", "--data", dir.toString()));
        assertTrue(err.toString().contains("--tls"), err.toString());
    }

    @Test
    void serve_storeCannotOpen_exitTwoWithReason(@TempDir Path dir) throws Exception {
        // A non-empty directory without the store marker is refused by DirectoryStore.open.
        Files.writeString(dir.resolve("unrelated.txt"), "not a store");
        CommandLine cli = cli(new ServeCommand(ServeCommand.DIRECTORY_STORE));
        assertEquals(
                2,
                cli.execute(
                        "serve",
                        "--data",
                        dir.toString(),
                        "--tls",
                        TestPki.dir().toString(),
                        "--port",
                        "0"));
        assertTrue(errorLine().contains(dir.toString()), err.toString());
    }

    @Test
    void serve_dataUnderAFile_exitTwoNamingThePathAndReason(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        CommandLine cli = cli(new ServeCommand(ServeCommand.DIRECTORY_STORE));
        assertEquals(
                2,
                cli.execute(
                        "serve",
                        "--data",
                        file.resolve("store").toString(),
                        "--tls",
                        TestPki.dir().toString(),
                        "--port",
                        "0"));
        String line = errorLine();
        assertTrue(
                line.startsWith("serve: ") && line.contains(file.toString()) && line.contains("not a directory"), line);
    }

    @Test
    void serve_tlsFolderMissing_exitTwoNamingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing");
        assertEquals(
                2,
                cli().execute(
                                "serve",
                                "--data",
                                dir.resolve("store").toString(),
                                "--tls",
                                missing.toString(),
                                "--port",
                                "0"));
        String line = errorLine();
        assertTrue(line.contains(missing.resolve("ca-cert.pem").toString()) && line.contains("no such file"), line);
    }

    @Test
    void serve_tlsFolderWithoutServerCertificate_exitTwoNamingIt(@TempDir Path dir) throws Exception {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        Files.copy(TestPki.dir().resolve("ca-cert.pem"), tls.resolve("ca-cert.pem"));
        assertEquals(
                2,
                cli().execute(
                                "serve",
                                "--data",
                                dir.resolve("store").toString(),
                                "--tls",
                                tls.toString(),
                                "--port",
                                "0"));
        String line = errorLine();
        assertTrue(line.equals("serve: " + tls.resolve("server-cert.pem") + ": no such file or directory"), line);
    }

    @Test
    void serve_hostDoesNotResolve_exitTwoSayingSo(@TempDir Path dir) {
        assertEquals(
                2,
                cli().execute(
                                "serve",
                                "--data",
                                dir.toString(),
                                "--tls",
                                TestPki.dir().toString(),
                                "--host",
                                "nosuch.invalid",
                                "--port",
                                "0"));
        String line = errorLine();
        assertTrue(line.contains("cannot listen on nosuch.invalid:0") && line.contains("does not resolve"), line);
    }

    @Test
    void serve_portFileCannotBeWritten_exitTwoNamingIt(@TempDir Path dir) {
        Path portFile = dir.resolve("missing").resolve("port");
        assertEquals(
                2,
                cli().execute(
                                "serve",
                                "--data",
                                dir.toString(),
                                "--tls",
                                TestPki.dir().toString(),
                                "--port",
                                "0",
                                "--port-file",
                                portFile.toString()));
        assertTrue(errorLine().contains("cannot write the port file " + portFile), err.toString());
    }

    @Test
    void serve_durations_oneSyntaxWithAHintForAMissingUnit(@TempDir Path dir) {
        assertEquals(2, cli().execute("serve", "--data", dir.toString(), "--heartbeat", "5"));
        assertTrue(errorLine().contains("'5' has no unit") && err.toString().contains("5s"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, cli().execute("serve", "--data", dir.toString(), "--heartbeat-ms", "5000"));
        assertTrue(
                errorLine().contains("unknown option '--heartbeat-ms'")
                        && err.toString().contains("--heartbeat"),
                err.toString());
        err.getBuffer().setLength(0);
        assertEquals(
                2,
                cli().execute(
                                "serve",
                                "--data",
                                dir.toString(),
                                "--tls",
                                TestPki.dir().toString(),
                                "--heartbeat",
                                "40s"));
        String line = errorLine();
        assertTrue(line.contains("--idle-timeout") && line.contains("30s") && line.contains("40s"), line);
    }

    @Test
    void execute_unknownCommandWithHelp_exitTwoNamingIt() {
        assertEquals(2, cli().execute("owner", "--help"));
        assertTrue(errorLine().contains("unknown command 'owner'"), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void help_serve_everyValueNamedAndDefaultsAsTyped() {
        assertEquals(0, cli().execute("serve", "--help"));
        String help = out.toString();
        assertFalse(help.contains("=<"), help);
        assertFalse(help.contains("PT"), help);
        assertTrue(help.contains("--idle-timeout=DURATION") && help.contains("(default: 30s)"), help);
    }

    /** The one line of the error output, which must name no Java exception and no "null". */
    private String errorLine() {
        List<String> lines = err.toString().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), err.toString());
        String line = lines.get(0);
        assertFalse(line.contains("Exception") || line.contains("null") || line.contains("PT"), line);
        return line;
    }

    @Test
    void serve_ephemeralPort_portFileListeningLineAndGracefulStop(@TempDir Path dir) throws Exception {
        InMemoryClipStore store = new InMemoryClipStore();
        ServeCommand serve = new ServeCommand(data -> store);
        Path portFile = dir.resolve("port");
        String[] args = {
            "serve",
            "--data",
            dir.toString(),
            "--tls",
            TestPki.dir().toString(),
            "--port",
            "0",
            "--port-file",
            portFile.toString()
        };
        CompletableFuture<Integer> exit =
                CompletableFuture.supplyAsync(() -> cli(serve).execute(args));
        int port = PortFiles.await(portFile, Duration.ofSeconds(10), exit::isDone);
        try (TestDeviceClient device = TestDeviceClient.connect(new InetSocketAddress("127.0.0.1", port), "dev-a")) {
            device.send(Messages.hello("dev-a"), Messages.clipOpen("dev-a", 1), Messages.frame(1, 0, false));
            device.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, false);
            assertTrue(
                    out.toString()
                            .contains("uplink listening on 127.0.0.1:" + port
                                    + " (TLS 1.3, client certificates required)"),
                    out.toString());
            serve.requestStop();
            assertTrue(device.awaitError(ErrorCode.SHUTTING_DOWN).getError().getRetriable());
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
    }
}
