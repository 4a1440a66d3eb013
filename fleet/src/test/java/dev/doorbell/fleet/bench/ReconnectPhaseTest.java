package dev.doorbell.fleet.bench;

import dev.doorbell.fleet.OwnerEnrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.fleet.load.LoadGenerator;
import dev.doorbell.fleet.load.LoadPlan;
import dev.doorbell.fleet.load.LoadResult;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import io.netty.channel.Channel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capacity run's reconnect phase drops every held connection and waits for each device's own reconnect. */
class ReconnectPhaseTest {
  private static final int DEVICES = 6;

  @TempDir Path dir;

  @Test
  void during_heldDevices_everyDeviceIsWelcomedAgainOnANewConnectionAndSendingResumes() throws Exception {
    FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
    new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), new OwnerEnrollment(new SecureRandom()))
        .provision(ProvisionRequest.of(fleet.root(), DEVICES), (done, total) -> {});
    List<DeviceDirectory> devices = new ArrayList<>();
    for (String id : Files.readAllLines(fleet.fleetList())) {
      devices.add(DeviceDirectory.load(fleet.device(id)));
    }
    StringWriter printed = new StringWriter();
    // The uplink runs in this JVM, so this process's CPU stands for the uplink's too.
    ReconnectPhase phase = new ReconnectPhase(List.of(ProcessHandle.current().pid()), new PrintWriter(printed, true));
    Set<Channel> before = new HashSet<>();
    Set<Channel> after = new HashSet<>();
    LoadResult result;
    try (DirectoryStore store = DirectoryStore.open(dir.resolve("store"), StoreOptions.defaults());
        UplinkServer uplink = new UplinkServer(UplinkConfig.builder().host("127.0.0.1").port(0)
            .tlsDirectory(fleet.uplinkDir()).build(), store)) {
      int port = uplink.start().getPort();
      LoadPlan plan = LoadPlan.saturation("127.0.0.1", port, Duration.ZERO, Duration.ofMillis(500))
          .withRate(20).withInflight(16).withFrameBytes(512, 1024);
      result = LoadGenerator.system().connectWave(3).beforeSending(live -> {
        before.addAll(uplink.registry().connections());
        phase.during(live);
        // The uplink sees the old connections close a little after the devices are welcomed on new ones.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !settled(uplink.registry().connections(), before)) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        after.addAll(uplink.registry().connections());
      }).run(devices, plan);
    }
    assertTrue(phase.allBack(), printed.toString());
    Matcher reconnected = Pattern.compile("RESULT whole run: reconnected (\\d+) of (\\d+) devices")
        .matcher(printed.toString());
    assertTrue(reconnected.find(), printed.toString());
    assertEquals(String.valueOf(DEVICES), reconnected.group(1));
    assertEquals(String.valueOf(DEVICES), reconnected.group(2));
    assertTrue(printed.toString().contains("0 devices not back"), printed.toString());
    String cpu = "CPU per reconnect: fleet [0-9.]+ ms, uplink [0-9.]+ ms";
    assertTrue(Pattern.compile(cpu).matcher(printed.toString()).find(), printed.toString());
    assertEquals(DEVICES, before.size());
    assertEquals(DEVICES, after.size());
    after.retainAll(before);
    assertTrue(after.isEmpty(), "every device is back on a new connection");
    assertTrue(result.clean(), result.summary());
    assertTrue(result.frames() > 0, result.summary());
  }

  private static boolean settled(Set<Channel> now, Set<Channel> before) {
    Set<Channel> fresh = new HashSet<>(now);
    fresh.removeAll(before);
    return now.size() == DEVICES && fresh.size() == DEVICES;
  }
}
