package dev.doorbell.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.cli.Cli;
import dev.doorbell.testing.PortFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FaultProxyCommandTest {
    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void call_shortDuration_printsAddressAndFinalCounters() {
        StringWriter out = new StringWriter();
        CommandLine cli = Cli.configure(new CommandLine(new FaultProxyCommand()));
        cli.setOut(new PrintWriter(out));
        int status = cli.execute(
                "--listen", "127.0.0.1:0", "--target", "127.0.0.1:9", "--seed", "4", "--duration", "1200ms");
        assertEquals(0, status, out.toString());
        assertTrue(out.toString().startsWith("fault proxy on 127.0.0.1:"), out.toString());
        assertTrue(out.toString().contains("for 1.2s"), out.toString());
        assertTrue(out.toString().contains("done: connections 0 (refused 0), resets 0"), out.toString());
    }

    @Test
    void call_rateAboveOne_refusedWithUsageErrorNamingTheOption() {
        StringWriter err = new StringWriter();
        CommandLine cli = Cli.configure(new CommandLine(new FaultProxyCommand()));
        cli.setErr(new PrintWriter(err));
        int status = cli.execute("--target", "127.0.0.1:9", "--reset-rate", "1.5");
        assertEquals(2, status);
        assertEquals(
                "fault-proxy: --reset-rate must be a probability in [0, 1], got 1.5",
                err.toString().strip());
    }

    @Test
    void call_noDuration_relaysUntilStoppedAndWritesItsPortFile() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> echoOnce(echo));
            Path portFile = dir.resolve("proxy.port");
            StringWriter out = new StringWriter();
            FaultProxyCommand proxy = new FaultProxyCommand();
            CommandLine cli = Cli.configure(new CommandLine(proxy));
            cli.setOut(new PrintWriter(out, true));
            // No faults: a plain relay, so the echo comes back whole.
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(
                    "--target",
                    "127.0.0.1:" + echo.getLocalPort(),
                    "--port-file",
                    portFile.toString(),
                    "--reset-rate",
                    "0",
                    "--stall-rate",
                    "0",
                    "--half-open-rate",
                    "0",
                    "--one-byte-rate",
                    "0",
                    "--delay-rate",
                    "0"));
            int port = awaitPort(portFile, exit);
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.getOutputStream().write("ding".getBytes(StandardCharsets.US_ASCII));
                client.setSoTimeout(10_000);
                assertEquals("ding", new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            }
            // Well past a second: without --duration the proxy keeps running until it is asked to stop.
            assertFalse(exit.isDone());
            proxy.requestStop();
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
            assertTrue(
                    out.toString().contains("until stopped") && out.toString().contains("done: connections 1"),
                    out.toString());
        }
    }

    /** A real process stopped by SIGTERM prints its final counters and exits 0, as at the end of --duration. */
    @Test
    void main_sigterm_finalCountersAndExitZero() throws Exception {
        Path portFile = dir.resolve("proxy.port");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                DoorbellCli.class.getName(),
                "fault-proxy",
                "--target",
                "127.0.0.1:9",
                "--port-file",
                portFile.toString()));
        // Process.destroy() sends SIGTERM and closes the pipes, so the output goes to files.
        Process process = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile())
                .start();
        try {
            awaitPort(portFile, process);
            process.destroy();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the proxy did not stop on SIGTERM");
            String out = Files.readString(dir.resolve("stdout"));
            assertEquals(0, process.exitValue(), out + Files.readString(dir.resolve("stderr")));
            assertTrue(out.contains("done: connections 0"), out);
        } finally {
            process.destroyForcibly();
        }
    }

    private static int awaitPort(Path portFile, CompletableFuture<Integer> exit) {
        try {
            return PortFiles.await(portFile, START, exit::isDone);
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "the proxy did not listen (exit " + (exit.isDone() ? exit.join() : "none") + ")", e);
        }
    }

    private static int awaitPort(Path portFile, Process process) {
        try {
            return PortFiles.await(portFile, START, () -> !process.isAlive());
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "the proxy did not listen (exit " + (process.isAlive() ? "none" : process.exitValue()) + ")", e);
        }
    }

    private static void echoOnce(ServerSocket server) {
        try (Socket s = server.accept();
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream()) {
            out.write(in.readNBytes(4));
            out.flush();
            in.read();
        } catch (IOException e) {
            // The test fails on the client side, with a clearer message.
        }
    }
}
