package dev.doorbell.uplink.cli;

import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreLockedException;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: runs the uplink until SIGTERM (or {@link #requestStop()}), then stops gracefully: no new
 * connections, PERSISTED acks for what the store makes durable, SHUTTING_DOWN to every device, store closed.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = UplinkCli.Version.class,
    description = "Accept devices over TLS 1.3 with client certificates and store their sealed clips.")
public final class ServeCommand implements Callable<Integer> {
  /** The one place the real store is opened: the embedded directory store of docs/FORMAT.md §6. */
  static final StoreFactory DIRECTORY_STORE = dir -> DirectoryStore.open(dir, StoreOptions.defaults());

  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
  // Only for the defaults shown by the options below; the real config is built in config().
  private static final UplinkConfig DEFAULTS = UplinkConfig.builder().insecurePlaintextForDebugging(true).build();

  @Spec
  private CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Store directory.")
  private Path data;

  @Option(names = "--tls", paramLabel = "DIR",
      description = "Folder with ca-cert.pem, server-cert.pem and server-key.pem (the uplink/ folder of provision).")
  private Path tls;

  @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
  private String host = "127.0.0.1";

  @Option(names = "--port", description = "Port to bind; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int port = 7443;

  @Option(names = "--port-file", paramLabel = "FILE", description = "Write the bound port here after binding.")
  private Path portFile;

  @Option(names = "--insecure-plaintext-for-debugging",
      description = "No TLS; device ids are taken from Hello unverified. Never for real devices.")
  private boolean plaintext;

  @Option(names = "--max-message-bytes", description = "Largest message (default: ${DEFAULT-VALUE}).")
  private int maxMessageBytes = DEFAULTS.maxMessageBytes();

  @Option(names = "--max-frame-bytes", description = "Largest sealed frame (default: ${DEFAULT-VALUE}).")
  private int maxFrameBytes = DEFAULTS.maxFrameBytes();

  @Option(names = "--max-frames-per-clip", description = "Default: ${DEFAULT-VALUE}.")
  private int maxFramesPerClip = DEFAULTS.maxFramesPerClip();

  @Option(names = "--max-open-clips", description = "Per device (default: ${DEFAULT-VALUE}).")
  private int maxOpenClips = DEFAULTS.maxOpenClips();

  @Option(names = "--window-frames", description = "Unpersisted frames per device (default: ${DEFAULT-VALUE}).")
  private int windowFrames = DEFAULTS.windowFrames();

  @Option(names = "--window-bytes", description = "Unpersisted bytes per device (default: ${DEFAULT-VALUE}).")
  private int windowBytes = DEFAULTS.windowBytes();

  @Option(names = "--heartbeat-ms", description = "Default: ${DEFAULT-VALUE}.")
  private long heartbeatMs = DEFAULTS.heartbeat().toMillis();

  @Option(names = "--idle-timeout-ms", description = "Default: ${DEFAULT-VALUE}.")
  private long idleTimeoutMs = DEFAULTS.idleTimeout().toMillis();

  @Option(names = "--handshake-deadline-ms", description = "TLS and Hello (default: ${DEFAULT-VALUE}).")
  private long handshakeDeadlineMs = DEFAULTS.handshakeDeadline().toMillis();

  @Option(names = "--reuse-port", description = "SO_REUSEPORT (epoll): several serve processes, each with its own "
      + "--data, share one port; a device that lands on another process re-sends its open clips there.")
  private boolean reusePort;

  @Option(names = "--io-threads", description = "Event-loop threads; 0 = twice the cores (default: ${DEFAULT-VALUE}).")
  private int ioThreads;

  @Option(names = "--shutdown-grace-ms", description = "How long a stop waits for acks (default: ${DEFAULT-VALUE}).")
  private long shutdownGraceMs = 10_000;

  private final StoreFactory storeFactory;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  public ServeCommand(StoreFactory storeFactory) {
    this.storeFactory = storeFactory;
  }

  /** Asks a running {@code serve} to stop gracefully, as SIGTERM does. */
  public void requestStop() {
    stopRequested.countDown();
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    UplinkConfig config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      err.println("serve: " + e.getMessage());
      return 2;
    }
    try (ClipStore store = storeFactory.open(data)) {
      UplinkServer server = new UplinkServer(config, store);
      InetSocketAddress bound = server.start();
      Thread hook = new Thread(this::stopFromSignal, "uplink-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        if (portFile != null) {
          writePortFile(bound.getPort());
        }
        spec.commandLine().getOut().println("uplink listening on " + bound.getHostString() + ":" + bound.getPort()
            + (plaintext ? " (INSECURE PLAINTEXT, for debugging only)" : " (TLS 1.3, client certificates required)"));
        spec.commandLine().getOut().flush();
        stopRequested.await();
      } finally {
        server.stop(Duration.ofMillis(shutdownGraceMs));
        removeHook(hook);
      }
      LOG.info("store at close: {}", store.stats());
    } catch (StoreLockedException e) {
      // One store, one uplink: refused before anything in the store was touched; the first uplink goes on.
      err.println("serve: " + e.getMessage() + "; one store, one uplink");
      return 2;
    } catch (IOException e) {
      err.println("serve: " + e.getMessage());
      return 1;
    } finally {
      stopped.countDown();
    }
    return 0;
  }

  private UplinkConfig config() {
    UplinkConfig.Builder b = UplinkConfig.builder().host(host).port(port).insecurePlaintextForDebugging(plaintext)
        .maxMessageBytes(maxMessageBytes).maxFrameBytes(maxFrameBytes).maxFramesPerClip(maxFramesPerClip)
        .maxOpenClips(maxOpenClips).windowFrames(windowFrames).windowBytes(windowBytes)
        .heartbeat(Duration.ofMillis(heartbeatMs)).idleTimeout(Duration.ofMillis(idleTimeoutMs))
        .handshakeDeadline(Duration.ofMillis(handshakeDeadlineMs)).reusePort(reusePort).ioThreads(ioThreads);
    if (tls != null) {
      b.tlsDirectory(tls);
    } else if (!plaintext) {
      throw new IllegalArgumentException("--tls DIR is required (or --insecure-plaintext-for-debugging)");
    }
    return b.build();
  }

  /** Written to a temporary name and moved, so that a script never reads a half-written port. */
  private void writePortFile(int boundPort) throws IOException {
    Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
    Files.writeString(tmp, boundPort + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, portFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Runs on SIGTERM. The JVM would exit with 143 after the hooks; a graceful stop is a success, so once the server
   * and the store are closed this hook ends the process with 0 itself.
   */
  private void stopFromSignal() {
    LOG.info("SIGTERM: stopping");
    requestStop();
    boolean clean;
    try {
      clean = stopped.await(shutdownGraceMs + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      clean = false;
    }
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(clean ? 0 : 1);
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is running and ends the process.
    }
  }
}
