package dev.doorbell.device.cli;

import dev.doorbell.device.faults.FaultPlan;
import dev.doorbell.device.faults.FaultProxy;
import dev.doorbell.device.faults.FaultStats;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code doorbell fault-proxy}: a TCP relay between doorbells and the uplink that injects network faults. */
@Command(name = "fault-proxy", mixinStandardHelpOptions = true,
    description = {"Relays TCP from --listen to --target and injects faults per connection: resets (RST), stalls, "
        + "half-open connections, 1-byte writes and delayed acks. TLS passes through untouched.",
        "Point `doorbell simulate --uplink` at the listen address. Rates are per-connection probabilities."})
public final class FaultProxyCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--listen", defaultValue = "127.0.0.1:0", paramLabel = "HOST:PORT",
      description = "address to accept doorbells on; port 0 picks one (default: ${DEFAULT-VALUE})")
  private String listen;

  @Option(names = "--target", required = true, paramLabel = "HOST:PORT", description = "the uplink")
  private String target;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the fault plan (default: ${DEFAULT-VALUE})")
  private long seed;

  @Option(names = "--reset-rate", defaultValue = "0.2", description = "chance of a reset (default: ${DEFAULT-VALUE})")
  private double resetRate;

  @Option(names = "--reset-after-bytes", defaultValue = "262144", paramLabel = "BYTES",
      description = "a reset strikes within this many bytes, or within --fault-within (default: ${DEFAULT-VALUE})")
  private long resetAfterBytes;

  @Option(names = "--stall-rate", defaultValue = "0.2", description = "chance of a stall (default: ${DEFAULT-VALUE})")
  private double stallRate;

  @Option(names = "--stall-max", defaultValue = "2s", converter = DurationConverter.class,
      description = "longest stall of one direction (default: ${DEFAULT-VALUE})")
  private Duration stallMax;

  @Option(names = "--half-open-rate", defaultValue = "0.05",
      description = "chance of a half-open hold (default: ${DEFAULT-VALUE})")
  private double halfOpenRate;

  @Option(names = "--half-open-hold", defaultValue = "40s", converter = DurationConverter.class,
      description = "how long a half-open connection is held before the proxy resets it (default: ${DEFAULT-VALUE})")
  private Duration halfOpenHold;

  @Option(names = "--one-byte-rate", defaultValue = "0.2",
      description = "chance of 1-byte writes (default: ${DEFAULT-VALUE})")
  private double oneByteRate;

  @Option(names = "--one-byte-budget", defaultValue = "4096", paramLabel = "BYTES",
      description = "bytes per direction written one at a time (default: ${DEFAULT-VALUE})")
  private int oneByteBudget;

  @Option(names = "--delay-rate", defaultValue = "0.3",
      description = "chance of delayed acks (uplink-to-device direction) (default: ${DEFAULT-VALUE})")
  private double delayRate;

  @Option(names = "--delay-max", defaultValue = "500ms", converter = DurationConverter.class,
      description = "longest delay of the uplink-to-device direction (default: ${DEFAULT-VALUE})")
  private Duration delayMax;

  @Option(names = "--fault-within", defaultValue = "10s", converter = DurationConverter.class,
      description = "timed faults strike within this time after a connection opens (default: ${DEFAULT-VALUE})")
  private Duration faultWithin;

  @Option(names = "--max-connections", defaultValue = "1000",
      description = "connections relayed at once (default: ${DEFAULT-VALUE})")
  private int maxConnections;

  @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
      description = "run this long, then stop (default: ${DEFAULT-VALUE})")
  private Duration duration;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    FaultPlan plan;
    try {
      plan = FaultPlan.none().withResets(resetRate, resetAfterBytes).withStalls(stallRate, stallMax)
          .withHalfOpen(halfOpenRate, halfOpenHold).withOneByteWrites(oneByteRate, oneByteBudget)
          .withDelays(delayRate, delayMax).withFaultWithin(faultWithin).withMaxConnections(maxConnections);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try (FaultProxy proxy = new FaultProxy(address(listen, "--listen"), address(target, "--target"), plan, seed)) {
      InetSocketAddress bound = proxy.start();
      out.printf("fault proxy on %s:%d -> %s, seed %d, for %d s%n", bound.getHostString(), bound.getPort(), target,
          seed, duration.toSeconds());
      out.flush();
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      long next = start;
      FaultStats last = null;
      while (System.nanoTime() < end) {
        next += Duration.ofSeconds(1).toNanos();
        LockSupport.parkNanos(Math.max(0, Math.min(next, end) - System.nanoTime()));
        FaultStats now = proxy.stats();
        if (!now.equals(last)) {
          out.printf("%4d s  %s%n", Duration.ofNanos(System.nanoTime() - start).toSeconds(), now.line());
          out.flush();
          last = now;
        }
      }
      out.printf("done: %s%n", proxy.stats().line());
    }
    return 0;
  }

  private InetSocketAddress address(String hostPort, String option) {
    int colon = hostPort.lastIndexOf(':');
    try {
      if (colon < 1) {
        throw new NumberFormatException();
      }
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(hostPort.substring(0, colon), port);
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(), option + " must be HOST:PORT, got '" + hostPort + "'");
    }
  }
}
