package dev.doorbell.uplink.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.uplink.cli.ServeCommand;
import dev.doorbell.uplink.cli.UplinkCli;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A CA-signed revocation list with a lower CRL number must not un-revoke a device, not even across a restart of
 * {@code serve}: the uplink keeps the list in force and its number in its --data directory.
 */
class CrlRollbackTest {
  @TempDir Path dir;

  @Test
  void serve_restartWithOlderSignedList_deviceRevokedByTheNewerListStaysRevoked() throws Exception {
    Path tls = dir.resolve("tls");
    Path data = dir.resolve("data");
    Files.createDirectories(tls);
    for (String name : new String[] {"ca-cert.pem", "server-cert.pem", "server-key.pem"}) {
      Files.copy(TestPki.file(name), tls.resolve(name));
    }
    install("crl-dev-b.pem", tls);
    try (Serve first = Serve.start(data, tls)) {
      assertRevoked(first.address(), "dev-b");
    }

    // An operator restores an old backup of the fleet's uplink/ folder: CRL number 1, which does not revoke dev-b.
    install("crl.pem", tls);
    try (Serve second = Serve.start(data, tls)) {
      assertRevoked(second.address(), "dev-b");
      try (TestDeviceClient a = TestDeviceClient.connect(second.address(), "dev-a")) {
        a.send(Messages.hello("dev-a"));
        a.awaitWelcome();
      }
    }
    assertEquals("2", Files.readString(data.resolve("crl-number"), StandardCharsets.US_ASCII).strip());
    for (String kept : new String[] {"crl-number", "crl-in-force.pem"}) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(kept))),
          kept);
    }
  }

  private static void assertRevoked(InetSocketAddress address, String device) throws Exception {
    try (TestDeviceClient client = TestDeviceClient.connect(address, device)) {
      client.send(Messages.hello(device));
      String message = client.awaitError(ErrorCode.CERTIFICATE_REVOKED).getError().getMessage();
      assertTrue(message.contains("CRL number 2"), message);
    }
  }

  /** Replaced by a rename, as {@code doorbell revoke} does. */
  private static void install(String name, Path tls) throws Exception {
    Path tmp = tls.resolve("crl.tmp");
    Files.copy(TestPki.file(name), tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, tls.resolve(CrlFile.FILE_NAME), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** {@code serve} with the real directory store, in this JVM, on an ephemeral port. */
  private record Serve(ServeCommand command, CompletableFuture<Integer> exit, InetSocketAddress address,
                       StringWriter err) implements AutoCloseable {
    static Serve start(Path data, Path tls) throws Exception {
      ServeCommand command = new ServeCommand(dir -> DirectoryStore.open(dir, StoreOptions.defaults()));
      CommandLine cli = UplinkCli.commandLine(command);
      StringWriter err = new StringWriter();
      cli.setOut(new PrintWriter(new StringWriter(), true));
      cli.setErr(new PrintWriter(err, true));
      Path portFile = data.resolveSibling("port");
      Files.deleteIfExists(portFile);
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("serve", "--data",
          data.toString(), "--tls", tls.toString(), "--port", "0", "--port-file", portFile.toString()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.exists(portFile)) {
        if (exit.isDone() || System.nanoTime() > deadline) {
          throw new AssertionError("serve did not listen (exit " + (exit.isDone() ? exit.get() : "none") + "): "
              + err);
        }
        LockSupport.parkNanos(5_000_000);
      }
      int port = Integer.parseInt(Files.readString(portFile).strip());
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
