package dev.doorbell.fleet.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.cli.ops.MetricsEndpoint;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.TestFleet;
import dev.doorbell.owner.ClipResult;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: the uplink's store lives on a small tmpfs that devices fill. The uplink must stop
 * acknowledging, answer STORAGE_UNAVAILABLE (retriable), say 503 on /readyz with the reason (and 200 again once space
 * returns), keep what it holds intact and never acknowledge a frame
 * it does not hold; once the tmpfs is made larger it must carry on by itself, and every clip must end OK. Needs
 * root (mount); skipped with a message otherwise. CI runs as root.
 */
class DiskFullTest {
    private static final int DEVICES = 4;
    private static final int FRAMES_PER_SECOND = 25;
    private static final int FRAMES_PER_CLIP = 50;

    @TempDir
    Path dir;

    private Path mountPoint;
    private boolean mounted;

    @Test
    void appendFrame_tmpfsFull_storageUnavailableUntilSpaceReturnsThenEveryClipOk() throws Exception {
        mountPoint = dir.resolve("tmpfs");
        Files.createDirectories(mountPoint);
        String why = run("mount", "-t", "tmpfs", "-o", "size=4m", "doorbell-diskfull", mountPoint.toString());
        Assumptions.assumeTrue(why == null, "DiskFullTest needs to mount a tmpfs (root on Linux): " + why);
        mounted = true;

        FleetLayout layout = TestFleet.provision(dir.resolve("fleet"), DEVICES);
        List<DeviceDirectory> devices = TestFleet.devices(layout);
        Path storeDir = mountPoint.resolve("store");
        StreamingFleet fleet;
        StoreCheck.Result whileFull;
        int sentWhenFull;
        long errors;
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(layout.uplinkDir())
                                .build(),
                        store)) {
            int port = uplink.start().getPort();
            fleet = new StreamingFleet(devices, port, 5, FRAMES_PER_SECOND, FRAMES_PER_CLIP);
            try (StreamingFleet streaming = fleet;
                    MetricsEndpoint ops = MetricsEndpoint.start(
                            "127.0.0.1", 0, uplink.metrics().registry(), uplink::readiness)) {
                String readyz = "http://127.0.0.1:" + ops.address().getPort() + "/readyz";
                assertEquals(200, status(readyz), "ready before the disk fills");
                streaming.start();
                await("a device told STORAGE_UNAVAILABLE", Duration.ofSeconds(40), () -> storageErrors(streaming) > 0);
                // The operator's view of the same moment: /readyz takes this uplink out of rotation while it cannot
                // write, and says why.
                await("/readyz 503 while the disk is full", Duration.ofSeconds(20), () -> status(readyz) == 503);
                String reason = body(readyz);
                assertTrue(
                        reason.startsWith("not ready: store unavailable:")
                                && reason.contains("No space left on device"),
                        reason);
                long errorsWhenFull = storageErrors(streaming);
                // Still full: the refusals go on while the devices retry.
                await(
                        "more STORAGE_UNAVAILABLE while full",
                        Duration.ofSeconds(20),
                        () -> storageErrors(streaming) > errorsWhenFull + DEVICES);

                Map<String, Integer> acknowledged = new HashMap<>(streaming.persisted);
                StoreSnapshot full = StoreDirectoryReader.read(storeDir);
                sentWhenFull = streaming.framesSent();
                whileFull = StoreCheck.check(full, streaming.sentDigests, streaming.headers, acknowledged);
                assertTrue(whileFull.ok(), "while full: " + whileFull.problems());
                assertTrue(
                        whileFull.storedFrames() < streaming.framesSent(),
                        "the disk really was full: " + whileFull.storedFrames() + " of " + streaming.framesSent()
                                + " frames stored");
                assertHoldsOnlyVerifiedFrames(layout, full, dir.resolve("opened-full"));

                String remount = run("mount", "-o", "remount,size=64m", mountPoint.toString());
                assertNull(remount, "remount with more space");
                int persistedBefore = totalPersisted(streaming);
                await(
                        "PERSISTED acks again after space returned",
                        Duration.ofSeconds(30),
                        () -> totalPersisted(streaming) > persistedBefore + DEVICES * FRAMES_PER_SECOND);
                await("/readyz 200 once space returned", Duration.ofSeconds(30), () -> status(readyz) == 200);
                streaming.stopSending();
                assertTrue(streaming.drain(Duration.ofSeconds(30)), "devices drained once space returned");
                for (LinkClient link : streaming.links()) {
                    assertTrue(
                            link.stats().errors(ErrorCode.STORAGE_UNAVAILABLE)
                                            + link.stats().reconnects()
                                    > 0,
                            link.deviceId() + " saw the full disk: " + link.stats());
                }
                errors = storageErrors(streaming);
            }
            uplink.stop(Duration.ofSeconds(5));
        }

        StoreSnapshot snapshot = StoreDirectoryReader.read(storeDir);
        StoreCheck.Result last = StoreCheck.check(snapshot, fleet.sentDigests, fleet.headers, fleet.persisted);
        assertTrue(last.ok(), "at the end: " + last.problems());
        assertEquals(fleet.framesSent(), last.storedFrames(), "every frame sent is stored exactly once");
        List<ClipResult> opened =
                TestFleet.storeOpener(layout).openAll(snapshot, null, null, dir.resolve("opened"), r -> {});
        assertEquals(fleet.closedClips.size(), opened.size());
        for (ClipResult r : opened) {
            assertEquals("OK", r.verdict(), r.deviceId() + "/" + r.clipName() + ": " + r.summary());
        }
        System.out.printf(
                "DiskFullTest: %d STORAGE_UNAVAILABLE errors; while full %d of %d frames sent were stored"
                        + " (%d acknowledged, all present); in the end %d frames in %d clips stored, checked and opened OK%n",
                errors,
                whileFull.storedFrames(),
                sentWhenFull,
                whileFull.acknowledgedFrames(),
                last.storedFrames(),
                opened.size());
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted && run("umount", mountPoint.toString()) != null) {
            // Something still holds a file there; detach it so the temporary directory can go.
            run("umount", "-l", mountPoint.toString());
        }
    }

    /** What is stored while the disk is full opens without a single bad frame: closed clips OK, open ones cut short. */
    private static void assertHoldsOnlyVerifiedFrames(FleetLayout layout, StoreSnapshot snapshot, Path out)
            throws IOException {
        List<ClipResult> results = TestFleet.storeOpener(layout).openAll(snapshot, null, null, out, r -> {});
        for (ClipResult r : results) {
            assertTrue(
                    Set.of("OK", "TRUNCATED").contains(r.verdict()),
                    r.deviceId() + "/" + r.clipName() + ": " + r.summary());
            assertEquals(r.storedFrames(), r.verifiedFrames(), r.deviceId() + "/" + r.clipName() + ": " + r.summary());
        }
    }

    private static long storageErrors(StreamingFleet fleet) {
        return fleet.links().stream()
                .mapToLong(l -> l.stats().errors(ErrorCode.STORAGE_UNAVAILABLE))
                .sum();
    }

    private static int totalPersisted(StreamingFleet fleet) {
        return fleet.persisted.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static int status(String url) {
        return get(url).statusCode();
    }

    private static String body(String url) {
        return get(url).body();
    }

    private static HttpResponse<String> get(String url) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: GET " + url, e);
        }
    }

    /** Runs a command; null when it exited 0, else why not. */
    private static String run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish within 20 s";
            }
            String output = new String(p.getInputStream().readAllBytes()).strip();
            return p.exitValue() == 0 ? null : String.join(" ", command) + " exited " + p.exitValue() + ": " + output;
        } catch (IOException e) {
            return String.join(" ", command) + " could not run: " + e.getMessage();
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
