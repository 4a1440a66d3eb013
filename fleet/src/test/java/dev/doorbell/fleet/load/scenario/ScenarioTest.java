package dev.doorbell.fleet.load.scenario;

import dev.doorbell.fleet.OwnerEnrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.fleet.load.LiveLoad;
import dev.doorbell.fleet.load.LoadGenerator;
import dev.doorbell.fleet.load.LoadHook;
import dev.doorbell.fleet.load.LoadPlan;
import dev.doorbell.fleet.load.LoadResult;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each scenario against the real uplink and directory store over TLS on loopback, four devices for a few seconds:
 * the figures are produced, and every frame acknowledged PERSISTED is in the store, each clip whole from frame 0.
 */
class ScenarioTest {
  private static final int DEVICES = 4;
  @TempDir static Path dir;
  private static FleetLayout fleet;
  private static List<DeviceDirectory> devices;

  @BeforeAll
  static void provision() throws Exception {
    fleet = new FleetLayout(dir.resolve("fleet"));
    new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), new OwnerEnrollment(new SecureRandom()))
        .provision(ProvisionRequest.of(fleet.root(), DEVICES), (done, total) -> {});
    devices = new ArrayList<>();
    for (String id : Files.readAllLines(fleet.fleetList())) {
      devices.add(DeviceDirectory.load(fleet.device(id)));
    }
  }

  @Test
  void reconnectStorm_allDevicesDropped_allReturnAndNothingAcknowledgedIsLost() throws Exception {
    ReconnectStorm storm = new ReconnectStorm(Duration.ofMillis(800), Duration.ofMillis(300));
    Run run = run("storm", storm, null);
    StormResult result = storm.result();
    assertNotNull(result, "the storm ran: " + run.result.summary());
    assertTrue(result.allReconnected(), result.summary());
    assertEquals(DEVICES, result.reconnected(), result.summary());
    assertTrue(result.before().getTotalCount() > 0 && result.during().getTotalCount() > 0, result.summary());
    assertTrue(result.during().getMaxValue() >= result.allReconnectedAfter().toNanos() / 1000 / 2,
        "frames held across the drop wait at least about as long as the reconnection: " + result.summary());
    run.assertNothingAcknowledgedLost();
  }

  @Test
  void churn_devicesLeaveAndRejoin_rejoinsCountedAndNothingAcknowledgedIsLost() throws Exception {
    Churn churn = new Churn(4, 7);
    Run run = run("churn", churn, null);
    ChurnResult result = churn.result();
    assertNotNull(result, run.result.summary());
    assertTrue(result.leaves() >= 3, "about 13 leaves in 3.3 s at 4/s: " + result.summary());
    assertTrue(result.rejoins() >= 1 && result.rejoins() <= result.leaves(), result.summary());
    assertTrue(result.latency().getTotalCount() > 0, result.summary());
    run.assertNothingAcknowledgedLost();
  }

  @Test
  void slowUplink_delayedAcks_latencyIncludesTheDelayAndNothingAcknowledgedIsLost() throws Exception {
    Run run = run("slow", LoadHook.NONE, Duration.ofMillis(150));
    assertEquals(DEVICES, run.proxyConnections, "every device went through the proxy");
    assertTrue(run.result.frames() > 0, run.result.summary());
    assertTrue(run.result.latencyMillis(50) > 0, run.result.summary());
    run.assertNothingAcknowledgedLost();
  }

  /** One load run, through a slow-uplink proxy when {@code delayMax} is set, with the store read back after. */
  private static Run run(String name, LoadHook scenario, Duration delayMax) throws Exception {
    Path storeDir = dir.resolve("store-" + name);
    AtomicReference<LiveLoad> live = new AtomicReference<>();
    LoadHook capture = l -> {
      live.set(l);
      scenario.during(l);
    };
    LoadResult result;
    long proxyConnections = 0;
    try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
        UplinkServer uplink = new UplinkServer(UplinkConfig.builder().host("127.0.0.1").port(0)
            .tlsDirectory(fleet.uplinkDir()).build(), store)) {
      InetSocketAddress target = new InetSocketAddress("127.0.0.1", uplink.start().getPort());
      if (delayMax == null) {
        result = LoadGenerator.system().run(devices, plan(target.getPort()), capture);
      } else {
        try (SlowUplink slow = SlowUplink.start(target, delayMax, 11)) {
          result = LoadGenerator.system().run(devices, plan(slow.address().getPort()), capture);
          proxyConnections = slow.stats().connections();
        }
      }
      uplink.stop(Duration.ofSeconds(5));
    }
    return new Run(result, live.get().framesAcknowledged(), StoreDirectoryReader.read(storeDir), proxyConnections);
  }

  private static LoadPlan plan(int port) {
    return LoadPlan.saturation("127.0.0.1", port, Duration.ofMillis(300), Duration.ofSeconds(3))
        .withRate(60).withInflight(256).withFrameBytes(1024, 4096);
  }

  private record Run(LoadResult result, long acknowledged, StoreSnapshot snapshot, long proxyConnections) {
    void assertNothingAcknowledgedLost() {
      long stored = 0;
      for (StoredClip clip : snapshot.clips()) {
        int expected = 0;
        for (StoredFrameBytes frame : clip.frames()) {
          assertEquals(expected++, frame.seq(), "clip " + clip.clipName() + " is whole and in order");
        }
        stored += clip.frames().size();
      }
      assertTrue(acknowledged > 0, result.summary());
      assertTrue(stored >= acknowledged, stored + " frames stored, " + acknowledged + " acknowledged PERSISTED: "
          + result.summary());
      assertTrue(snapshot.warnings().isEmpty(), snapshot.warnings().toString());
    }
  }
}
