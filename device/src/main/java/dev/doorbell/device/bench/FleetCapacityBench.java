package dev.doorbell.device.bench;

import dev.doorbell.device.load.LoadGenerator;
import dev.doorbell.device.load.LoadHook;
import dev.doorbell.device.load.LoadPlan;
import dev.doorbell.device.load.LoadResult;
import dev.doorbell.device.provision.FleetLayout;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceNative;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Capacity of one fleet process against uplink processes that run in their own JVMs (scripts/bench-fleet-capacity):
 * connects a slice of a provisioned fleet over TLS, from several loopback source addresses, and prints the connect
 * rate and the RSS per held device on each side (RSS after connecting minus RSS before, over the devices); then
 * holds, drops every connection at once and measures the reconnect rate ({@link ReconnectPhase}), and sends at a
 * modest open-loop rate for PERSISTED frames/s, MB/s and p99 latency.
 */
@Command(name = "bench-fleet-capacity", mixinStandardHelpOptions = true,
    description = "Connect N TLS devices, hold them, measure connects/s and RSS per device on both sides.")
public final class FleetCapacityBench implements Callable<Integer> {
  @Option(names = "--fleet", required = true, description = "A provisioned fleet directory.")
  private Path fleetDir;

  @Option(names = "--port", required = true, description = "Uplink port on 127.0.0.1.")
  private int port;

  @Option(names = "--devices", description = "Devices in this process (default: ${DEFAULT-VALUE}).")
  private int devices = 10_000;

  @Option(names = "--first", description = "Index in the fleet list of this process's first device (default: 0).")
  private int first;

  @Option(names = "--sources", description = "Loopback source addresses 127.0.0.S.. (default: ${DEFAULT-VALUE}).")
  private int sources = 1;

  @Option(names = "--first-source", description = "Last octet of the first source address (default: ${DEFAULT-VALUE}).")
  private int firstSource = 1;

  @Option(names = "--uplink-pid", description = "Uplink process whose RSS to measure (repeatable).")
  private List<Long> uplinkPids = new ArrayList<>();

  @Option(names = "--wave", description = "TLS handshakes in flight while connecting (default: ${DEFAULT-VALUE}).")
  private int wave = 200;

  @Option(names = "--io-threads", description = "Event-loop threads (default: ${DEFAULT-VALUE}).")
  private int ioThreads = 2;

  @Option(names = "--hold-seconds", description = "Hold every connection this long, idle (default: ${DEFAULT-VALUE}).")
  private int holdSeconds = 5;

  @Option(names = "--skip-reconnect", description = "Skip the reconnect phase after the hold.")
  private boolean skipReconnect;

  @Option(names = "--rate", description = "Frames/s over all devices after the hold (default: ${DEFAULT-VALUE}).")
  private double rate = 2000;

  @Option(names = "--seconds", description = "Measured seconds of sending (default: ${DEFAULT-VALUE}).")
  private int seconds = 20;

  @Option(names = "--connect-timeout-seconds",
      description = "Bound on connecting them all (default: ${DEFAULT-VALUE}).")
  private int connectTimeoutSeconds = 600;

  @Option(names = "--frame-bytes", description = "Plaintext frame size (default: ${DEFAULT-VALUE}).")
  private int frameBytes = 16 * 1024;

  private final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) {
    System.exit(new CommandLine(new FleetCapacityBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    out.println("machine: " + MachineInfo.describe() + "; load average " + MachineInfo.loadAverage());
    out.println("fleet side: " + DeviceNative.describe() + "; JVM " + Runtime.version() + " "
        + String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
    List<InetAddress> addresses = new ArrayList<>();
    for (int i = 0; i < sources; i++) {
      addresses.add(InetAddress.getByName("127.0.0." + (firstSource + i)));
    }
    long fleetBefore = ProcessRss.self();
    long uplinkBefore = ProcessRss.sum(uplinkPids);
    long loadStart = System.nanoTime();
    List<DeviceDirectory> fleet = slice();
    out.printf("loaded %d device directories in %.1f s; RSS before: fleet %s, uplink %s%n", fleet.size(),
        (System.nanoTime() - loadStart) / 1e9, mib(fleetBefore), mib(uplinkBefore));
    LoadPlan plan = new LoadPlan("127.0.0.1", port, rate, 64, frameBytes, frameBytes, 30, 2, ioThreads,
        Duration.ofSeconds(2), Duration.ofSeconds(seconds), 1);
    LoadGenerator generator = new LoadGenerator(Clock.systemUTC(), System::nanoTime, new SecureRandom(),
        Duration.ofSeconds(connectTimeoutSeconds), Duration.ofSeconds(30));
    long[] cpuBefore = new long[2];
    ReconnectPhase reconnect = new ReconnectPhase(uplinkPids, out);
    LoadResult result = generator.sourceAddresses(addresses).connectWave(wave)
        .beforeConnect(() -> {
          cpuBefore[0] = ProcessCpu.self();
          cpuBefore[1] = ProcessCpu.sum(uplinkPids);
        })
        .afterConnect((n, nanos) -> held(n, nanos, fleetBefore, uplinkBefore, cpuBefore))
        .beforeSending(skipReconnect ? LoadHook.NONE : reconnect).run(fleet, plan);
    out.println("sending at " + rate + " frames/s: " + result.summary());
    out.printf("RESULT persisted %.0f frames/s, %.2f MB/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms,"
        + " errors %d%n", result.framesPerSecond(), result.megabytesPerSecond(), result.latencyMillis(50),
        result.latencyMillis(99), result.latencyMillis(99.9), result.maxLatencyMillis(), result.errors());
    return result.clean() && (skipReconnect || reconnect.allBack()) ? 0 : 1;
  }

  private void held(int n, long connectNanos, long fleetBefore, long uplinkBefore, long[] cpuBefore)
      throws InterruptedException {
    long fleetCpu = ProcessCpu.self() - cpuBefore[0];
    long uplinkCpu = cpuBefore[1] < 0 ? -1 : ProcessCpu.sum(uplinkPids) - cpuBefore[1];
    long fleetAfter = ProcessRss.self();
    long uplinkAfter = ProcessRss.sum(uplinkPids);
    out.printf("RESULT connected %d devices in %.2f s: %.0f TLS connects/s (%d in flight, %d source addresses; load "
        + "average %s)%n", n, connectNanos / 1e9, n / (connectNanos / 1e9), wave, sources, MachineInfo.loadAverage());
    // CPU per connect does not depend on how much CPU other work left over, unlike connects/s.
    out.printf("RESULT CPU per connect: fleet %.2f ms, uplink %s%n", fleetCpu / 1e6 / n,
        uplinkCpu < 0 || uplinkPids.isEmpty() ? "not measured" : String.format("%.2f ms", uplinkCpu / 1e6 / n));
    out.printf("RESULT RSS per held device: fleet %.1f KiB (%s -> %s), uplink %s%n",
        (fleetAfter - fleetBefore) / 1024.0 / n, mib(fleetBefore), mib(fleetAfter),
        uplinkPids.isEmpty() || uplinkBefore < 0 ? "not measured" : String.format("%.1f KiB (%s -> %s, %d processes)",
            (uplinkAfter - uplinkBefore) / 1024.0 / n, mib(uplinkBefore), mib(uplinkAfter), uplinkPids.size()));
    TimeUnit.SECONDS.sleep(holdSeconds);
    out.printf("after holding %d s: fleet RSS %s, uplink RSS %s%n", holdSeconds, mib(ProcessRss.self()),
        mib(ProcessRss.sum(uplinkPids)));
  }

  private List<DeviceDirectory> slice() throws Exception {
    FleetLayout layout = new FleetLayout(fleetDir);
    List<String> ids = Files.readAllLines(layout.fleetList(), StandardCharsets.UTF_8).stream()
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (first + devices > ids.size()) {
      throw new IllegalArgumentException("the fleet has " + ids.size() + " devices; asked for " + devices
          + " from index " + first);
    }
    List<DeviceDirectory> fleet = new ArrayList<>(devices);
    for (String id : ids.subList(first, first + devices)) {
      fleet.add(DeviceDirectory.load(layout.device(id)));
    }
    return fleet;
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "?" : String.format("%.0f MiB", bytes / 1048576.0);
  }
}
