package dev.doorbell.fleet.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.TestFleet;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.proto.v1.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 5 against a real uplink process started with the JVM options of scripts/uplink: one device floods it,
 * first with frames for a clip it never opened, then with conflicting copies of a stored frame, reconnecting at once
 * whenever it is closed, while another device streams real sealed clips. The good device's frames keep being
 * PERSISTED; the flooder is closed with TOO_MANY_ERRORS and kept out for the time the Error names; the uplink's log
 * stays under 1 MB and its peak RSS (VmHWM) bounded.
 */
class UplinkFloodTest {
    private static final Duration PHASE = Duration.ofSeconds(6);
    private static final long MAX_FLOOD_FRAMES = 300_000;
    private static final int GOOD_FRAMES_PER_SECOND = 20;
    private static final long LOG_LIMIT_BYTES = 1 << 20;
    /** The uplink's heap (scripts/uplink) plus what a JVM with Netty and BoringSSL needs beside it. */
    private static final long NON_HEAP_ALLOWANCE_BYTES = 256L << 20;
    /** Measured 150-160 MiB here with the limits; without them the same floods took the uplink to 544 MiB. */
    private static final long FLOOD_RSS_LIMIT_BYTES = 400L << 20;

    @TempDir
    Path dir;

    @Test
    void flood_unknownClipThenConflictingDuplicates_goodDeviceStreamsLogAndRssStayBounded() throws Exception {
        FleetLayout layout = TestFleet.provision(dir.resolve("fleet"), 2);
        List<String> ids = Files.readAllLines(layout.fleetList());
        DeviceDirectory good = DeviceDirectory.load(layout.device(ids.get(0)));
        DeviceDirectory flooder = DeviceDirectory.load(layout.device(ids.get(1)));
        List<String> jvmOptions = scriptJvmOptions();
        long maxHeap = maxHeapBytes(jvmOptions);
        Path store = dir.resolve("store");
        try (UplinkProcess uplink =
                        new UplinkProcess(store, layout.uplinkDir(), dir.resolve("uplink"), List.of(), jvmOptions);
                StreamingFleet fleet =
                        new StreamingFleet(List.of(good), uplink.port(), 7, GOOD_FRAMES_PER_SECOND, 40)) {
            uplink.start();
            fleet.start();
            await("the good device's first PERSISTED ack", uplink, () -> totalPersisted(fleet) > 0);
            FloodingDevice flooding = new FloodingDevice(flooder, uplink.port());

            Map<FloodingDevice.Kind, FloodingDevice.Result> floods = new EnumMap<>(FloodingDevice.Kind.class);
            Map<FloodingDevice.Kind, Integer> persistedDuring = new EnumMap<>(FloodingDevice.Kind.class);
            for (FloodingDevice.Kind kind : FloodingDevice.Kind.values()) {
                int before = totalPersisted(fleet);
                FloodingDevice.Result flood = flooding.flood(kind, MAX_FLOOD_FRAMES, PHASE);
                floods.put(kind, flood);
                persistedDuring.put(kind, totalPersisted(fleet) - before);
                System.out.printf(
                        "UplinkFloodTest %s: %s; good device: %d frames PERSISTED meanwhile; uplink log %d bytes,"
                                + " VmHWM %d MiB%n",
                        kind,
                        flood,
                        persistedDuring.get(kind),
                        Files.size(uplink.logFile()),
                        vmHwmBytes(uplink.pid()) >> 20);
            }
            fleet.stopSending();
            assertTrue(fleet.drain(Duration.ofSeconds(30)), "the good device drained; log:\n" + uplink.tail());
            long hwm = vmHwmBytes(uplink.pid());
            assertEquals(0, uplink.stop(), "graceful stop; log:\n" + uplink.tail());
            long logBytes = Files.size(uplink.logFile());
            System.out.printf(
                    "UplinkFloodTest: uplink log %d bytes, VmHWM %d MiB with JVM options %s%n",
                    logBytes, hwm >> 20, jvmOptions);

            floods.forEach((kind, flood) -> {
                assertTrue(
                        persistedDuring.get(kind)
                                >= GOOD_FRAMES_PER_SECOND * flood.took().toSeconds() / 2,
                        kind + ": the good device kept streaming: " + persistedDuring.get(kind)
                                + " frames PERSISTED in " + flood.took());
                assertTrue(
                        flood.errors().getOrDefault(ErrorCode.TOO_MANY_ERRORS, 0) > 0,
                        kind + ": the flooder was closed with TOO_MANY_ERRORS: " + flood);
                assertTrue(flood.maxRetryAfterMs() > 0, kind + ": TOO_MANY_ERRORS names a backoff: " + flood);
                // Closed and kept out for the backoff it was told, the flooder has a session at most once per backoff.
                assertTrue(
                        flood.welcomes() <= 1 + PHASE.toMillis() / flood.maxRetryAfterMs(),
                        kind + ": reconnecting during the backoff gets no session: " + flood);
                assertTrue(flood.connections() > flood.welcomes(), kind + ": it did try: " + flood);
            });
            assertTrue(
                    logBytes < LOG_LIMIT_BYTES,
                    "uplink log of " + logBytes + " bytes; the limit is " + LOG_LIMIT_BYTES + "; last lines:\n"
                            + uplink.tail());
            String log = Files.readString(uplink.logFile(), StandardCharsets.UTF_8);
            assertTrue(log.contains("suppressed"), "repeated lines are summarised, not dropped silently");
            assertTrue(maxHeap > 0, "scripts/uplink bounds the heap with -Xmx: " + jvmOptions);
            assertTrue(
                    hwm < maxHeap + NON_HEAP_ALLOWANCE_BYTES,
                    "uplink VmHWM " + (hwm >> 20) + " MiB with " + jvmOptions);
            assertTrue(hwm < FLOOD_RSS_LIMIT_BYTES, "uplink VmHWM " + (hwm >> 20) + " MiB after the floods");

            StoreSnapshot all = StoreDirectoryReader.read(store);
            StoreSnapshot goodClips = new StoreSnapshot(
                    all.dir(),
                    all.clips().stream()
                            .filter(c -> c.deviceId().equals(good.deviceId()))
                            .toList(),
                    all.warnings(),
                    all.stores());
            StoreCheck.Result check = StoreCheck.check(goodClips, fleet.sentDigests, fleet.headers, fleet.persisted);
            assertTrue(check.ok(), check.problems().toString());
            assertEquals(fleet.framesSent(), check.storedFrames(), "every frame of the good device is stored");
        }
    }

    /** What scripts/uplink passes to java, as its own shell code computes it (with no override in the environment). */
    private static List<String> scriptJvmOptions() throws IOException, InterruptedException {
        Path common = repositoryRoot().resolve("scripts/lib/common.sh");
        ProcessBuilder builder = new ProcessBuilder(
                        "bash", "-c", "source \"$0\" && java_options uplink", common.toString())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("UPLINK_"));
        Process bash = builder.start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(bash.waitFor(10, TimeUnit.SECONDS) && bash.exitValue() == 0, "java_options failed: " + out);
        return out.isEmpty() ? List.of() : Arrays.asList(out.split("\\s+"));
    }

    /** The -Xmx of the options in bytes, or 0 when there is none. */
    private static long maxHeapBytes(List<String> options) {
        long max = 0;
        for (String option : options) {
            if (option.startsWith("-Xmx")) {
                String size = option.substring(4).toLowerCase();
                char unit = size.charAt(size.length() - 1);
                long shift = switch (unit) {
                    case 'k' -> 10;
                    case 'm' -> 20;
                    case 'g' -> 30;
                    default -> 0;
                };
                max = Long.parseLong(shift == 0 ? size : size.substring(0, size.length() - 1)) << shift;
            }
        }
        return max;
    }

    private static long vmHwmBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
            }
        }
        throw new IllegalStateException("no VmHWM in /proc/" + pid + "/status");
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/lib/common.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "scripts/lib/common.sh not found above " + Path.of("").toAbsolutePath());
    }

    private static int totalPersisted(StreamingFleet fleet) {
        return fleet.persisted.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static void await(String what, UplinkProcess uplink, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; log:\n" + uplink.tail());
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
