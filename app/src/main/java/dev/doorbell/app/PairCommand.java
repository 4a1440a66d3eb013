package dev.doorbell.app;

import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.tls.DeviceLock;
import dev.doorbell.owner.identity.IdentityException;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.Pairing;
import dev.doorbell.pki.FleetSync;
import dev.doorbell.proto.DeviceFiles;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.seal.v2.VerifyingKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code doorbell pair}: the local step that makes a provisioned device the owner's (like scanning its QR code). The
 * device makes its own signing key (its private half never leaves the device directory); the owner certifies the
 * public half and issues the device's first recipient list; the device gets the certificate, the list and the
 * owner's signing public key, its trust anchor. Nothing of the owner's secret goes to the device, and nothing goes
 * through the uplink.
 */
@Command(
        name = "pair",
        mixinStandardHelpOptions = true,
        description = {
            "Pairs provisioned devices with the owner: each device makes its own signing key, the owner certifies it.",
            "",
            "A device directory gets signing.key (its own, 0600), device-key.cert, owner.pub (the owner's signing public"
                    + " key only) and recipients.list (version 1: the owner and every viewer); the owner directory"
                    + " gets devices/ID.cert and lists/ID.list. Nothing is written when a device is already paired, a"
                    + " directory is not a device's, or a process runs a device from it (it holds the directory's"
                    + " device.lock). Exit status: 0 when every device was paired, 2 on a usage or I/O error."
        })
public final class PairCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(PairCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--owner", required = true, paramLabel = "OWNER", description = "The owner's directory.")
    Path ownerDir;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Devices devices;

    static final class Devices {
        @Option(names = "--device", paramLabel = "DIR", description = "A device directory (repeatable).")
        List<Path> dirs;

        @Option(
                names = "--devices-dir",
                paramLabel = "DIR",
                description = "Every device directory in DIR (a fleet's devices/).")
        Path parent;
    }

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: two per core, at least 4).")
    int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private record Device(String id, Path dir) {}

    @Override
    public Integer call() throws Exception {
        if (threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be 1 or more, not " + threads);
        }
        List<Device> targets = targets();
        OwnerDirectory owner = OwnerDirectory.load(ownerDir);
        try {
            refuseAnyPaired(owner, targets);
            long started = System.nanoTime();
            Pairing pairing = new Pairing(owner);
            long now = Clock.systemUTC().millis();
            SecureRandom random = new SecureRandom();
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, targets.size()));
            try {
                List<Future<?>> done = new ArrayList<>();
                for (Device d : targets) {
                    done.add(pool.submit(() -> {
                        pairOne(owner, pairing, d, now, random);
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof Exception cause ? cause : e;
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            // Written without forcing each file, then made durable together (syncfs where there is one): an fsync
            // per file, six files a device, would take most of the time of a large fleet.
            long syncStarted = System.nanoTime();
            Set<Path> roots = new LinkedHashSet<>();
            roots.add(ownerDir);
            if (devices.parent != null) {
                roots.add(devices.parent);
            } else {
                targets.forEach(d -> roots.add(d.dir()));
            }
            Set<String> how = new LinkedHashSet<>();
            for (Path root : roots) {
                how.add(FleetSync.sync(root, threads));
            }
            log.info("pairing files made durable by {} in {} ms", how, (System.nanoTime() - syncStarted) / 1_000_000);
            double seconds = (System.nanoTime() - started) / 1e9;
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(
                    Locale.ROOT,
                    "paired %d %s with %s in %.2f s (%.0f devices/s)%n",
                    targets.size(),
                    targets.size() == 1 ? "device" : "devices",
                    ownerDir,
                    seconds,
                    targets.size() / seconds);
            stdout.println("  each device: signing.key (its own, 0600), device-key.cert, owner.pub, recipients.list"
                    + " (version 1)");
            stdout.println("  the owner:   " + ownerDir.resolve(OwnerDirectory.DEVICES) + "/ID.cert and "
                    + ownerDir.resolve(OwnerDirectory.LISTS) + "/ID.list");
            stdout.flush();
            return 0;
        } finally {
            owner.destroy();
        }
    }

    private static void pairOne(OwnerDirectory owner, Pairing pairing, Device d, long now, SecureRandom random)
            throws IOException {
        // The device's side writes into its directory: no device may run from it meanwhile (docs/FIRMWARE.md).
        try (DeviceLock lock = DeviceLock.acquire(d.dir())) {
            VerifyingKey deviceKey = DevicePairing.createSigningKey(d.dir(), random, false);
            Pairing.Paired paired = pairing.pair(d.id(), deviceKey, now, false);
            DevicePairing.install(d.dir(), owner.ownerKey(), paired.certificate(), paired.list(), false);
        }
    }

    private List<Device> targets() throws IOException {
        List<Path> dirs = new ArrayList<>();
        if (devices.parent != null) {
            if (!Files.isDirectory(devices.parent)) {
                throw new ParameterException(
                        spec.commandLine(), "--devices-dir " + devices.parent + " is not a directory");
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(devices.parent, Files::isDirectory)) {
                entries.forEach(dirs::add);
            }
            dirs.sort(null);
            if (dirs.isEmpty()) {
                throw new ParameterException(
                        spec.commandLine(), "--devices-dir " + devices.parent + " holds no device directory");
            }
        } else {
            dirs.addAll(devices.dirs);
        }
        List<Device> targets = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Path dir : dirs) {
            // device.properties only: the device's side checks it against the TLS certificate when it makes its key.
            String id = deviceId(dir);
            if (!ids.add(id)) {
                throw new ParameterException(spec.commandLine(), "device " + id + " is given twice (" + dir + ")");
            }
            targets.add(new Device(id, dir));
        }
        return targets;
    }

    /** Every device is checked before anything is written, so that a refused run leaves nothing half done. */
    private static void refuseAnyPaired(OwnerDirectory owner, List<Device> targets) {
        for (Device d : targets) {
            DeviceLock.refuseIfInUse(d.dir());
            if (Files.exists(d.dir().resolve(DeviceFiles.SIGNING_KEY))) {
                throw new IdentityException("device " + d.id() + " (" + d.dir() + ") is already paired: it has "
                        + DeviceFiles.SIGNING_KEY + "; nothing was written");
            }
            if (Files.exists(owner.certificateFile(d.id()))) {
                throw new IdentityException("device " + d.id() + " is already paired with this owner ("
                        + owner.certificateFile(d.id()) + "); nothing was written");
            }
        }
    }

    /** The device id of a provisioned device directory, from its device.properties. */
    private static String deviceId(Path dir) throws IOException {
        Path file = dir.resolve(DeviceFiles.PROPERTIES);
        if (!Files.isRegularFile(file)) {
            throw new IdentityException(dir + " is not a device directory: it has no " + DeviceFiles.PROPERTIES
                    + " (devices are made by 'doorbell provision')");
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        String id = properties.getProperty(DeviceFiles.PROPERTY_DEVICE_ID);
        if (id == null || !DeviceIds.isValid(id)) {
            throw new IdentityException(file + " has no valid " + DeviceFiles.PROPERTY_DEVICE_ID);
        }
        return id;
    }
}
