package dev.doorbell.fleet;

import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.Pairing;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetSync;
import dev.doorbell.seal.v2.VerifyingKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs the devices of a fleet the load tester provisioned, as {@code doorbell pair} does, so that they seal format v2
 * clips their owners open: {@code owners} test owners in {@code FLEET/owners/owner-K/} (device i goes to owner i mod
 * N), each made by {@code owner init} with its recovery phrase in {@code FLEET/owners/owner-K.phrase} (0600: these are
 * the owners of a load test, whose clips the tester opens). Every device makes its own signing key; the owner
 * certifies it and issues its first list. Nothing is forced to disk per file: the fleet's files are made durable once
 * at the end, as provisioning does, which is what lets ten thousand devices pair in seconds.
 */
public final class FleetPairing {
    public static final String OWNERS = "owners";
    private static final Logger log = LoggerFactory.getLogger(FleetPairing.class);
    private static final int THREADS = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());

    private FleetPairing() {}

    /** The directory of owner {@code k} (1-based) of the fleet in {@code fleetDir}. */
    public static Path ownerDir(Path fleetDir, int k) {
        return fleetDir.resolve(OWNERS).resolve("owner-" + k);
    }

    /** Which owner (1-based) device {@code index} of fleet.txt belongs to. */
    public static int ownerOf(int index, int owners) {
        return index % owners + 1;
    }

    /** Pairs the devices {@code ids} of a fleet (fleet.txt order) with {@code owners} new owners; returns seconds. */
    public static double pair(FleetLayout fleet, List<String> ids, int owners, SecureRandom random, Clock clock)
            throws IOException {
        return pairDirectories(fleet, ids.stream().map(fleet::device).toList(), owners, random, clock);
    }

    /**
     * Pairs the provisioned device directories {@code deviceDirs} (devices of the fleet, its conformance devices) with
     * {@code owners} new owners of the fleet, the i-th with owner i mod N + 1; returns the seconds it took.
     */
    public static double pairDirectories(
            FleetLayout fleet, List<Path> deviceDirs, int owners, SecureRandom random, Clock clock) throws IOException {
        long started = System.nanoTime();
        Files.createDirectories(fleet.root().resolve(OWNERS));
        List<OwnerDirectory> made = new ArrayList<>();
        try {
            for (int k = 1; k <= owners; k++) {
                OwnerDirectory.Created created = OwnerDirectory.init(ownerDir(fleet.root(), k), random);
                made.add(created.owner());
                Files.writeString(
                        fleet.root().resolve(OWNERS).resolve("owner-" + k + ".phrase"),
                        created.phrase() + "\n",
                        StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                Files.setPosixFilePermissions(
                        fleet.root().resolve(OWNERS).resolve("owner-" + k + ".phrase"),
                        PosixFilePermissions.fromString("rw-------"));
            }
            List<Pairing> pairings = made.stream().map(Pairing::new).toList();
            long now = clock.millis();
            // Writing files is most of the work, so more threads than cores: a thread waits on the file system.
            ForkJoinPool pool = new ForkJoinPool(THREADS);
            try {
                pool.submit(() -> IntStream.range(0, deviceDirs.size())
                                .parallel()
                                .forEach(i -> {
                                    Path dir = deviceDirs.get(i);
                                    String id = DevicePairing.deviceId(dir);
                                    int k = ownerOf(i, owners);
                                    OwnerDirectory owner = made.get(k - 1);
                                    VerifyingKey deviceKey = DevicePairing.createSigningKey(dir, random, false);
                                    Pairing.Paired paired = pairings.get(k - 1).pair(id, deviceKey, now, false);
                                    DevicePairing.install(
                                            dir, owner.ownerKey(), paired.certificate(), paired.list(), false);
                                }))
                        .get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("pairing interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IOException("pairing failed: " + e.getCause(), e.getCause());
            } finally {
                pool.shutdownNow();
            }
            String how = FleetSync.sync(fleet.root(), Runtime.getRuntime().availableProcessors());
            double seconds = (System.nanoTime() - started) / 1e9;
            log.info(
                    "paired {} devices with {} owners in {} s ({} devices/s; made durable by {})",
                    deviceDirs.size(),
                    owners,
                    String.format(Locale.ROOT, "%.2f", seconds),
                    Math.round(deviceDirs.size() / seconds),
                    how);
            return seconds;
        } finally {
            made.forEach(OwnerDirectory::destroy);
        }
    }
}
