package dev.doorbell.uplink.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.testing.PortFiles;
import dev.doorbell.testing.TestPki;
import dev.doorbell.uplink.cli.ServeCommand;
import dev.doorbell.uplink.cli.UplinkCli;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A CA-signed revocation list with a lower CRL number must not un-revoke a device, not even across a restart of
 * {@code serve}: the uplink keeps the list in force and its number in its --data directory.
 */
class CrlRollbackTest {
    @TempDir
    Path dir;

    @Test
    void serve_restartWithOlderSignedList_deviceRevokedByTheNewerListStaysRevoked() throws Exception {
        Path tls = TestPki.copyServerFiles(dir.resolve("tls"));
        Path data = dir.resolve("data");
        TestPki.installCrl("crl-dev-b.pem", tls.resolve(CrlFile.FILE_NAME));
        try (Serve first = Serve.start(data, tls)) {
            assertRevoked(first.address(), "dev-b");
        }

        // An operator restores an old backup of the fleet's uplink/ folder: CRL number 1, which does not revoke dev-b.
        TestPki.installCrl("crl.pem", tls.resolve(CrlFile.FILE_NAME));
        try (Serve second = Serve.start(data, tls)) {
            assertRevoked(second.address(), "dev-b");
            try (TestDeviceClient a = TestDeviceClient.connect(second.address(), "dev-a")) {
                a.send(Messages.hello("dev-a"));
                a.awaitWelcome();
            }
        }
        assertEquals(
                "2",
                Files.readString(data.resolve("crl-number"), StandardCharsets.US_ASCII)
                        .strip());
        for (String kept : new String[] {"crl-number", "crl-in-force.pem"}) {
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(kept))),
                    kept);
        }
    }

    private static void assertRevoked(InetSocketAddress address, String device) throws Exception {
        try (TestDeviceClient client = TestDeviceClient.connect(address, device)) {
            client.send(Messages.hello(device));
            String message =
                    client.awaitError(ErrorCode.CERTIFICATE_REVOKED).getError().getMessage();
            assertTrue(message.contains("CRL number 2"), message);
        }
    }

    /** {@code serve} with the real directory store, in this JVM, on an ephemeral port. */
    private record Serve(
            ServeCommand command, CompletableFuture<Integer> exit, InetSocketAddress address, StringWriter err)
            implements AutoCloseable {
        static Serve start(Path data, Path tls) throws Exception {
            ServeCommand command = new ServeCommand(dir -> DirectoryStore.open(dir, StoreOptions.defaults()));
            CommandLine cli = UplinkCli.commandLine(command);
            StringWriter err = new StringWriter();
            cli.setOut(new PrintWriter(new StringWriter(), true));
            cli.setErr(new PrintWriter(err, true));
            Path portFile = data.resolveSibling("port");
            Files.deleteIfExists(portFile);
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute(
                    "serve",
                    "--data",
                    data.toString(),
                    "--tls",
                    tls.toString(),
                    "--port",
                    "0",
                    "--port-file",
                    portFile.toString()));
            int port;
            try {
                port = PortFiles.await(portFile, Duration.ofSeconds(20), exit::isDone);
            } catch (RuntimeException e) {
                throw new AssertionError(
                        "serve did not listen (exit " + (exit.isDone() ? exit.get() : "none") + "): " + err, e);
            }
            return new Serve(command, exit, new InetSocketAddress("127.0.0.1", port), err);
        }

        @Override
        public void close() throws ExecutionException, TimeoutException {
            command.requestStop();
            try {
                assertEquals(0, exit.get(20, TimeUnit.SECONDS), err.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while serve stopped", e);
            }
        }
    }
}
