package dev.doorbell.pki;

import dev.doorbell.pki.ProvisionException.Code;
import dev.doorbell.proto.DeviceIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a fleet (fleet CA, uplink certificate, devices with their TLS identities and what a {@link DeviceEnrollment}
 * adds to each) or adds devices to one, in the
 * layout of {@link FleetLayout}. Every check that can refuse a request runs before the first file is written;
 * {@code fleet.txt} is written last, so a fleet without it was cut short.
 */
public final class FleetProvisioner {
    /** Told after each device; called on the thread that called {@link #provision}. */
    @FunctionalInterface
    public interface Progress {
        void devicesDone(int done, int total);
    }

    private static final Logger log = LoggerFactory.getLogger(FleetProvisioner.class);

    private final SecureRandom random;
    private final Clock clock;
    private final DeviceEnrollment enrollment;

    /** Devices get their TLS identity only. */
    public FleetProvisioner(SecureRandom random, Clock clock) {
        this(random, clock, DeviceEnrollment.NONE);
    }

    /** Devices get their TLS identity and what {@code enrollment} adds to each. */
    public FleetProvisioner(SecureRandom random, Clock clock, DeviceEnrollment enrollment) {
        this.random = random;
        this.clock = clock;
        this.enrollment = enrollment;
    }

    public ProvisionResult provision(ProvisionRequest request, Progress progress) throws ProvisionException {
        long started = System.nanoTime();
        FleetLayout layout = new FleetLayout(request.out());
        Set<String> existing = request.add() ? existingFleet(layout) : checkOutput(layout, request.force());
        List<String> ids = newIds(request, existing, layout);
        ServerNames names = ServerNames.parse(request.uplinkNames());
        Instant now = clock.instant();
        try {
            FleetCa ca;
            if (request.add()) {
                ca = FleetCa.load(layout.caCert(), layout.caKey());
            } else {
                clearForce(layout);
                ca = FleetCa.create(random, now, request.validity());
                writeCaAndUplink(layout, ca, names, now, request.validity());
            }
            PrivateFiles.publicDirectory(layout.devicesDir());
            writeDevices(
                    new DeviceWriter(layout, layout.devicesDir(), ca, random, now, request.validity(), enrollment),
                    ids,
                    request.threads(),
                    progress);
            Set<String> fleet = new LinkedHashSet<>(existing);
            fleet.addAll(ids);
            // The device files were written without forcing them: all of them become durable here, at once, before
            // fleet.txt names the devices.
            long syncStarted = System.nanoTime();
            String how = FleetSync.sync(layout.root(), request.threads());
            log.info("fleet files made durable by {} in {} ms", how, (System.nanoTime() - syncStarted) / 1_000_000);
            PrivateFiles.writePublic(layout.readme(), FleetReadme.text());
            PrivateFiles.writePublic(layout.fleetList(), String.join("\n", fleet) + (fleet.isEmpty() ? "" : "\n"));
            PrivateFiles.syncDirectory(layout.root());
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            log.info("provisioned {} devices in {} ms (fleet of {})", ids.size(), elapsed.toMillis(), fleet.size());
            return new ProvisionResult(layout, ids, fleet.size(), elapsed);
        } catch (IOException e) {
            throw new ProvisionException(Code.IO_FAILURE, "provisioning in " + layout.root() + " failed", e);
        }
    }

    private static Set<String> checkOutput(FleetLayout layout, boolean force) throws ProvisionException {
        Path root = layout.root();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new ProvisionException(Code.OUTPUT_EXISTS, root + " exists and is not a directory");
        }
        if (!force && Files.isDirectory(root)) {
            try (Stream<Path> entries = Files.list(root)) {
                if (entries.findAny().isPresent()) {
                    throw new ProvisionException(
                            Code.OUTPUT_EXISTS,
                            root + " is not empty: give --force to replace the "
                                    + "fleet there (its keys are lost), or --add to add devices to it");
                }
            } catch (IOException e) {
                throw new ProvisionException(Code.IO_FAILURE, "cannot list " + root, e);
            }
        }
        return Set.of();
    }

    private static Set<String> existingFleet(FleetLayout layout) throws ProvisionException {
        for (Path needed : List.of(layout.caCert(), layout.caKey(), layout.fleetList())) {
            if (!Files.isRegularFile(needed)) {
                throw new ProvisionException(
                        Code.NOT_A_FLEET,
                        "--add needs a fleet made by provision in " + layout.root() + ", but " + needed
                                + " is missing");
            }
        }
        Set<String> ids = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(layout.fleetList(), StandardCharsets.UTF_8)) {
                String id = line.trim();
                if (!id.isEmpty() && !DeviceIds.isValid(id)) {
                    throw new ProvisionException(
                            Code.NOT_A_FLEET, layout.fleetList() + " holds '" + id + "', which is not a device id");
                }
                if (!id.isEmpty()) {
                    ids.add(id);
                }
            }
        } catch (IOException e) {
            throw new ProvisionException(Code.IO_FAILURE, "cannot read " + layout.fleetList(), e);
        }
        return ids;
    }

    private List<String> newIds(ProvisionRequest request, Set<String> existing, FleetLayout layout)
            throws ProvisionException {
        List<String> ids;
        try {
            ids = request.resolveIds(existing);
        } catch (IllegalArgumentException e) {
            throw new ProvisionException(Code.INVALID_REQUEST, e.getMessage(), e);
        }
        for (String id : ids) {
            boolean onDisk = request.add() && (Files.exists(layout.device(id)) || enrollment.present(layout, id));
            if (existing.contains(id) || onDisk) {
                throw new ProvisionException(
                        Code.DEVICE_EXISTS,
                        "device " + id + " is already in the fleet at " + layout.root() + "; nothing was written");
            }
        }
        return ids;
    }

    /** With --force, removes only what provision itself writes; anything else in the directory stays. */
    private static void clearForce(FleetLayout layout) throws IOException {
        for (Path path : List.of(
                layout.caDir(),
                layout.uplinkDir(),
                layout.devicesDir(),
                layout.conformanceDir(),
                layout.ownerDir(),
                layout.readme(),
                layout.fleetList())) {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> tree = Files.walk(path)) {
                    for (Path each : tree.sorted((a, b) -> b.getNameCount() - a.getNameCount())
                            .toList()) {
                        Files.delete(each);
                    }
                }
            } else {
                Files.deleteIfExists(path);
            }
        }
    }

    private void writeCaAndUplink(FleetLayout layout, FleetCa ca, ServerNames names, Instant now, Duration validity)
            throws IOException {
        PrivateFiles.publicDirectory(layout.root());
        String caCertPem = Pem.certificate(ca.certificate());
        PrivateFiles.privateDirectory(layout.caDir());
        PrivateFiles.writePublic(layout.caCert(), caCertPem);
        PrivateFiles.writePrivate(layout.caKey(), ca.privateKeyPem(), true);
        KeyPair server = EcKeys.generate(random);
        PrivateFiles.privateDirectory(layout.uplinkDir());
        PrivateFiles.writePublic(layout.uplinkCaCert(), caCertPem);
        PrivateFiles.writePublic(
                layout.serverCert(), Pem.certificate(ca.issueServer(names, server.getPublic(), random, now, validity)));
        PrivateFiles.writePrivate(layout.serverKey(), Pem.privateKey(server.getPrivate()), true);
        // The uplink always finds a signed list, so a later revocation only ever replaces a file it already reads.
        new CrlPublisher(random, clock).publishEmpty(layout, ca);
    }

    static void writeDevices(DeviceWriter writer, List<String> ids, int threads, Progress progress) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, ids.size())));
        try {
            List<Future<?>> pending = new ArrayList<>(ids.size());
            for (String id : ids) {
                pending.add(pool.submit(() -> {
                    writer.write(id);
                    return null;
                }));
            }
            for (int i = 0; i < pending.size(); i++) {
                try {
                    pending.get(i).get();
                } catch (ExecutionException e) {
                    throw new IOException("device " + ids.get(i) + ": " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while writing device " + ids.get(i), e);
                }
                progress.devicesDone(i + 1, ids.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
