package dev.doorbell.fleet.load;

import dev.doorbell.fleet.OwnerEnrollment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Devices of a load run spread their sockets over several loopback source addresses, round-robin. */
class LoadGeneratorSourcesTest {
  @TempDir Path dir;

  @Test
  void run_threeSourceAddresses_uplinkSeesEachDeviceFromItsRoundRobinSource() throws Exception {
    FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
    new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), new OwnerEnrollment(new SecureRandom()))
        .provision(ProvisionRequest.of(fleet.root(), 6), (done, total) -> {});
    List<DeviceDirectory> devices = new ArrayList<>();
    for (String id : Files.readAllLines(fleet.fleetList())) {
      devices.add(DeviceDirectory.load(fleet.device(id)));
    }
    List<InetAddress> sources = List.of(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.3"),
        InetAddress.getByName("127.0.0.4"));
    Map<String, Integer> bySource = new TreeMap<>();
    AtomicLong connectNanos = new AtomicLong();
    LoadResult result;
    try (DirectoryStore store = DirectoryStore.open(dir.resolve("store"), StoreOptions.defaults());
        UplinkServer uplink = new UplinkServer(UplinkConfig.builder().host("127.0.0.1").port(0)
            .tlsDirectory(fleet.uplinkDir()).build(), store)) {
      int port = uplink.start().getPort();
      LoadPlan plan = LoadPlan.saturation("127.0.0.1", port, Duration.ZERO, Duration.ofMillis(500))
          .withRate(20).withInflight(16).withFrameBytes(512, 1024);
      result = LoadGenerator.system().sourceAddresses(sources).connectWave(4).afterConnect((n, nanos) -> {
        connectNanos.set(nanos);
        for (Channel c : uplink.registry().connections()) {
          String host = ((InetSocketAddress) c.remoteAddress()).getAddress().getHostAddress();
          bySource.merge(host, 1, Integer::sum);
        }
      }).run(devices, plan);
    }
    assertEquals(Map.of("127.0.0.2", 2, "127.0.0.3", 2, "127.0.0.4", 2), bySource);
    assertTrue(connectNanos.get() > 0, "the hook is told how long connecting took");
    assertTrue(result.clean(), result.summary());
    assertTrue(result.frames() > 0, result.summary());
  }
}
