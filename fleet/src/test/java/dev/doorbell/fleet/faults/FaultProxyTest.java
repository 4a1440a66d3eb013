package dev.doorbell.fleet.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.camera.FramePool;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkConfig;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceTls;
import dev.doorbell.fleet.TestFleet;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 3 §5: 50 doorbells upload through the fault proxy (resets, stalls, half-open connections, 1-byte writes,
 * delayed acks) over real TLS into the real uplink and directory store. Afterwards every frame acknowledged
 * PERSISTED is in the store byte for byte, nothing is stored twice, and every clip opens OK.
 */
class FaultProxyTest {
    private static final Logger log = LoggerFactory.getLogger(FaultProxyTest.class);
    private static final int DEVICES = 50;
    private static final int CLIPS = 2;
    private static final int FRAMES_PER_CLIP = 30;
    private static final long TICK_MS = 100;
    private static final long SEED = 3;

    @TempDir
    Path dir;

    @Test
    void upload_fiftyDevicesThroughEveryFault_acknowledgedFramesStoredExactlyAndClipsOpen() throws Exception {
        FleetLayout fleet = TestFleet.provision(dir.resolve("fleet"), DEVICES);
        FramePool pool = FramePool.build(Profile.P240, SEED, 8);
        Path storeDir = dir.resolve("store");
        List<FaultyDoorbell> doorbells = new ArrayList<>();
        FaultStats faults;
        long reconnects = 0;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .windowFrames(8)
                                .heartbeat(Duration.ofMillis(500))
                                .idleTimeout(Duration.ofSeconds(3))
                                .handshakeDeadline(Duration.ofSeconds(3))
                                .build(),
                        store);
                FaultProxy proxy =
                        new FaultProxy(new InetSocketAddress("127.0.0.1", 0), uplink.start(), plan(), SEED)) {
            int port = proxy.start().getPort();
            int n = 0;
            for (String id : Files.readAllLines(fleet.fleetList())) {
                DeviceDirectory device = DeviceDirectory.load(fleet.device(id));
                FaultyDoorbell doorbell = new FaultyDoorbell(device, pool, FRAMES_PER_CLIP);
                LinkConfig config = LinkConfig.builder("127.0.0.1", port, id)
                        .tls(DeviceTls.clientContext(device))
                        .connectTimeout(Duration.ofSeconds(2))
                        .backoff(Duration.ofMillis(20), Duration.ofMillis(400))
                        .random(new Random(SEED + n++))
                        .build();
                LinkClient link = new LinkClient(config, group, doorbell, doorbell.pairing());
                doorbell.attach(link);
                link.start();
                doorbells.add(doorbell);
            }
            log.info("fault run: {} devices started", DEVICES);
            runTicks(ticker, doorbells);
            log.info("fault run: every frame handed to the links, draining");
            List<CompletableFuture<Void>> drains = new ArrayList<>();
            for (FaultyDoorbell d : doorbells) {
                drains.add(d.link().drain(Duration.ofSeconds(40)));
            }
            CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new)).get(45, TimeUnit.SECONDS);
            faults = proxy.stats();
            for (FaultyDoorbell d : doorbells) {
                reconnects += d.link().stats().reconnects();
                d.link().close();
            }
            uplink.stop(Duration.ofSeconds(5));
        } finally {
            ticker.shutdownNow();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }

        String summary = faults.line() + ", device reconnects " + reconnects;
        log.info("fault run done: {}", summary);
        assertTrue(faults.resets() > 0, summary);
        assertTrue(faults.stalls() > 0, summary);
        assertTrue(faults.halfOpens() > 0, summary);
        assertTrue(faults.oneByteWrites() > 0, summary);
        assertTrue(faults.delayedConnections() > 0, summary);
        assertTrue(reconnects > 0, summary);
        assertStoredAsAcknowledged(storeDir, doorbells, fleet);
    }

    private static FaultPlan plan() {
        return FaultPlan.none()
                .withResets(0.3, 400_000)
                .withStalls(0.3, Duration.ofMillis(800))
                .withHalfOpen(0.1, Duration.ofMillis(2500))
                .withOneByteWrites(0.3, 3000)
                .withDelays(0.5, Duration.ofMillis(150))
                .withFaultWithin(Duration.ofSeconds(5));
    }

    /** One frame per device per tick, on a fixed-rate timer, so faults strike while clips are being uploaded. */
    private static void runTicks(ScheduledExecutorService ticker, List<FaultyDoorbell> doorbells) throws Exception {
        int ticks = CLIPS * FRAMES_PER_CLIP;
        AtomicInteger done = new AtomicInteger();
        CompletableFuture<Void> finished = new CompletableFuture<>();
        ScheduledFuture<?> timer = ticker.scheduleAtFixedRate(
                () -> {
                    try {
                        if (done.get() < ticks) {
                            doorbells.forEach(FaultyDoorbell::tick);
                            if (done.incrementAndGet() == ticks) {
                                finished.complete(null);
                            }
                        }
                    } catch (RuntimeException e) {
                        finished.completeExceptionally(e);
                    }
                },
                0,
                TICK_MS,
                TimeUnit.MILLISECONDS);
        try {
            finished.get(30, TimeUnit.SECONDS);
        } finally {
            timer.cancel(false);
        }
    }

    private static void assertStoredAsAcknowledged(Path storeDir, List<FaultyDoorbell> doorbells, FleetLayout fleet)
            throws Exception {
        StoreSnapshot snapshot = StoreDirectoryReader.read(storeDir);
        assertTrue(snapshot.warnings().isEmpty(), snapshot.warnings().toString());
        Map<String, StoredClip> stored = new HashMap<>();
        for (StoredClip clip : snapshot.clips()) {
            assertNull(
                    stored.put(clip.deviceId() + "/" + clip.clipId(), clip), "clip stored twice: " + clip.clipName());
            for (int i = 0; i < clip.frames().size(); i++) {
                assertEquals(i, clip.frames().get(i).seq(), "frames in order without duplicates in " + clip.clipName());
            }
        }
        int acked = 0;
        for (FaultyDoorbell d : doorbells) {
            assertNull(d.ackWentBack, d.deviceId());
            for (Map.Entry<Long, Integer> e : d.persisted.entrySet()) {
                StoredClip clip = stored.get(d.deviceId() + "/" + e.getKey());
                assertNotNull(clip, "acknowledged clip " + d.deviceId() + "/" + e.getKey() + " is stored");
                assertArrayEquals(d.headers.get(e.getKey()), clip.header(), "header of " + clip.clipName());
                assertTrue(clip.frames().size() >= e.getValue(), "acked frames of " + clip.clipName() + " stored");
                for (int seq = 0; seq < e.getValue(); seq++) {
                    StoredFrameBytes f = clip.frames().get(seq);
                    assertArrayEquals(
                            d.sealed.get(e.getKey() + "/" + seq),
                            FaultyDoorbell.sha256(f.sealed()),
                            "stored bytes of " + d.deviceId() + " clip " + e.getKey() + " frame " + seq);
                    acked++;
                }
            }
        }
        assertEquals(DEVICES * CLIPS * FRAMES_PER_CLIP, acked, "every frame acknowledged PERSISTED after the drain");
        assertEquals(DEVICES * CLIPS, snapshot.clips().size());
        // The opener StoreOpener uses, without its contact sheets: decoding 3,000 JPEGs would only cost time here.
        ClipOpenerV2 opener = TestFleet.opener(fleet);
        for (StoredClip clip : snapshot.clips()) {
            ClipVerdict verdict = opener.open(clip.deviceId(), clip.clipId(), clip.header(), clip.frames());
            assertEquals(ClipVerdict.Status.OK, verdict.status(), verdict.summary());
            assertEquals(FRAMES_PER_CLIP, verdict.frames().size(), verdict.summary());
        }
    }
}
