package dev.doorbell.fleet.load;

import dev.doorbell.fleet.OwnerEnrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load generator against the real uplink and directory store over TLS on loopback: few devices, seconds. */
class LoadGeneratorTest {
  @TempDir static Path dir;
  private static FleetLayout fleet;
  private static List<DeviceDirectory> devices;

  @BeforeAll
  static void provision() throws Exception {
    fleet = new FleetLayout(dir.resolve("fleet"));
    new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), new OwnerEnrollment(new SecureRandom()))
        .provision(ProvisionRequest.of(fleet.root(), 3), (done, total) -> {});
    devices = new ArrayList<>();
    for (String id : Files.readAllLines(fleet.fleetList())) {
      devices.add(DeviceDirectory.load(fleet.device(id)));
    }
  }

  @Test
  void run_openLoop_everySentFrameIsStoredAndLatencyIsRecorded() throws Exception {
    Path storeDir = dir.resolve("store-open");
    LoadResult result;
    long stored;
    try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
        UplinkServer uplink = server(store)) {
      int port = uplink.start().getPort();
      LoadPlan plan = LoadPlan.saturation("127.0.0.1", port, Duration.ofMillis(300), Duration.ofSeconds(2))
          .withRate(60).withInflight(64).withFrameBytes(1024, 4096);
      result = LoadGenerator.system().run(devices, plan);
      uplink.stop(Duration.ofSeconds(5));
      stored = store.stats().records();
    }
    assertTrue(result.clean(), result.summary());
    assertTrue(result.frames() >= 60, "about 120 frames persist in 2 s at 60/s: " + result.summary());
    assertTrue(result.latencyMicros().getTotalCount() >= 60, result.summary());
    assertTrue(result.latencyMillis(50) > 0, result.summary());
    assertTrue(result.sealedBytes() >= result.frames() * 1024, "every frame is at least 1 KiB: " + result.summary());
    assertTrue(stored >= result.framesSent(), "the store holds every frame sent (" + result.framesSent()
        + ") plus clip records: " + stored);
  }

  @Test
  void run_saturation_keepsEveryDeviceBusyWithinItsInflightLimit() throws Exception {
    Path storeDir = dir.resolve("store-saturation");
    LoadResult result;
    try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
        UplinkServer uplink = server(store)) {
      int port = uplink.start().getPort();
      LoadPlan plan = LoadPlan.saturation("127.0.0.1", port, Duration.ofMillis(300), Duration.ofSeconds(2))
          .withInflight(2).withFrameBytes(16 * 1024, 64 * 1024);
      result = LoadGenerator.system().run(devices, plan);
      uplink.stop(Duration.ofSeconds(5));
    }
    assertTrue(result.clean(), result.summary());
    assertTrue(result.frames() > 0, result.summary());
    assertTrue(result.megabytesPerSecond() > 0, result.summary());
    assertEquals(3, result.devices());
  }

  @Test
  void run_uplinkNotListening_failsWithinTheConnectTimeout() throws Exception {
    int unusedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      unusedPort = s.getLocalPort();
    }
    LoadGenerator generator = new LoadGenerator(Clock.systemUTC(), System::nanoTime, new SecureRandom(),
        Duration.ofSeconds(1), Duration.ofSeconds(1));
    LoadPlan plan = LoadPlan.saturation("127.0.0.1", unusedPort, Duration.ZERO, Duration.ofSeconds(1));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> generator.run(devices, plan));
    assertTrue(e.getMessage().contains("0 of 3 devices"), e.getMessage());
  }

  private static UplinkServer server(DirectoryStore store) {
    return new UplinkServer(UplinkConfig.builder().host("127.0.0.1").port(0).tlsDirectory(fleet.uplinkDir()).build(),
        store);
  }
}
