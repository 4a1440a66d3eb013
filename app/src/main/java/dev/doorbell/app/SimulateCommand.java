package dev.doorbell.app;

import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.HostPortConverter;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.SystemSimClock;
import dev.doorbell.device.camera.VirtualSimClock;
import dev.doorbell.device.fault.FaultPlan;
import dev.doorbell.device.fault.FirmwareFault;
import dev.doorbell.device.fault.InsecureCrashPoints;
import dev.doorbell.device.fault.InsecureCrashPoints.CrashAt;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.sim.Simulation;
import dev.doorbell.device.sim.SimulationOptions;
import dev.doorbell.device.sim.SimulationReport;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceDirectoryInUse;
import dev.doorbell.device.tls.DeviceLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description = {
            "Runs provisioned doorbells against an uplink, sealing every frame on the device.",
            "",
            "Each camera renders a seeded porch scene, detects motion, records doorbell presses with pre- and post-roll,",
            "seals every frame (format v3: what happened is sealed too) and keeps it until the uplink acknowledges it as",
            "durable. The seed fixes the scenes and the clip schedule; clip ids, clip keys and nonce prefixes always come",
            "from the system CSPRNG, unless an INSECURE --fault says otherwise (docs/FIRMWARE.md, \"Fault modes\").",
            "SIGINT or SIGTERM ends the run early as --duration would (open clips get their final frame, acknowledgements",
            "are awaited within --drain-timeout, the summary says interrupted); a second one exits at once.",
            "One device directory, one device: the run holds each directory's device.lock until it ends, and a second",
            "process on a directory in use is refused at once (docs/FIRMWARE.md, \"The device directory\").",
            "Exit status: 0 when every sealed clip was PERSISTED, 1 when not, 2 on a usage or I/O error, a device",
            "directory in use or an uplink that no doorbell can use, 130 or 143 after SIGINT or SIGTERM."
        })
public final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--devices-dir",
            paramLabel = "DIR",
            description = "A folder of device directories (provision's devices/): runs every device in it.")
    Path devicesDir;

    @Option(names = "--device-dir", paramLabel = "DIR", description = "One device directory (repeatable).")
    List<Path> deviceDirs = new ArrayList<>();

    @Option(
            names = "--uplink",
            paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:7443",
            converter = HostPortConverter.class,
            description = "The uplink's address (default: ${DEFAULT-VALUE}).")
    String uplink;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description = "Scene seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "How long the cameras run (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
            names = "--profile",
            paramLabel = "NAME",
            defaultValue = "480p",
            description =
                    "Resolution profile: 240p (320x240 @ 10 fps), 480p (640x480 @ 10 fps), 720p (1280x720 @ 15 fps)."
                            + " Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(
            names = "--ring-at",
            paramLabel = "ID=OFFSET",
            description = "A visitor walks up and presses the doorbell of device ID at OFFSET after the start, e.g."
                    + " doorbell-0001=8s (repeatable).")
    Map<String, String> ringAt = new HashMap<>();

    @Option(
            names = "--ring-rate",
            paramLabel = "PER_HOUR",
            defaultValue = "2",
            description = "Visitors per hour who walk up and ring, once or twice (default: ${DEFAULT-VALUE}).")
    double ringRate;

    @Option(
            names = "--crossing-rate",
            paramLabel = "PER_MINUTE",
            defaultValue = "6",
            description = "People and cars passing per minute (default: ${DEFAULT-VALUE}).")
    double crossingRate;

    @Option(
            names = "--pre-roll",
            paramLabel = "DURATION",
            defaultValue = "4s",
            converter = DurationConverter.class,
            description = "Kept before the trigger (default: ${DEFAULT-VALUE}).")
    Duration preRoll;

    @Option(
            names = "--post-roll",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Kept after the last motion (default: ${DEFAULT-VALUE}).")
    Duration postRoll;

    @Option(
            names = "--max-clip",
            paramLabel = "DURATION",
            defaultValue = "60s",
            converter = DurationConverter.class,
            description = "Longest clip; a longer event continues in a new clip (default: ${DEFAULT-VALUE}).")
    Duration maxClip;

    @Option(
            names = "--pad",
            paramLabel = "BYTES",
            defaultValue = "0",
            converter = PadConverter.class,
            description = "Pad every sealed frame to the next multiple of BYTES (64..1048576, a multiple of 16; 4096 is"
                    + " the recommended bucket), so that stored sizes say less about the scene; 0, the default, pads"
                    + " nothing.")
    int pad;

    @Option(
            names = "--virtual-clock",
            description = "Run on simulated time, as fast as the CPU allows, instead of the wall clock.")
    boolean virtualClock;

    @Option(
            names = "--drain-timeout",
            paramLabel = "DURATION",
            defaultValue = "60s",
            converter = DurationConverter.class,
            description = "How long to wait at the end for PERSISTED acks (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "How long to wait for every doorbell's Welcome (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(
            names = "--progress-every",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Interval of the progress line (default: ${DEFAULT-VALUE}).")
    Duration progressEvery;

    @Option(
            names = "--insecure-plaintext-for-debugging",
            description = "No TLS. Only against an uplink started the same way, for local debugging.")
    boolean insecurePlaintext;

    @Option(
            names = "--fault",
            paramLabel = "NAME",
            split = ",",
            converter = FirmwareFaultConverter.class,
            description = {
                "INSECURE: commit this firmware fault on purpose (repeatable, or NAME,NAME...): ${COMPLETION-CANDIDATES}.",
                "The clips are deliberately broken (docs/FIRMWARE.md, \"Fault modes\"); reproducible from --seed."
            },
            completionCandidates = FirmwareFaultConverter.Names.class)
    List<FirmwareFault> faults = new ArrayList<>();

    @Option(
            names = "--insecure-crash-at",
            paramLabel = "POINT[:N]",
            converter = CrashAtConverter.class,
            description = {
                "INSECURE test fault: halt this process, as kill -9 would, the N-th time (default 1) a doorbell reaches",
                "the named step of a key or state update, e.g. clip-start.renamed:2 (exit status 137). The points are",
                "listed in docs/FIRMWARE.md, \"Crash safety\"; `doorbell crash-device` runs them all."
            })
    CrashAt crashAt;

    @Option(
            names = "--verbose",
            description =
                    "Log at debug level: every connection attempt, and the exceptions behind failures with their stack"
                            + " traces (by default a failure is one line saying what failed and who refused whom).")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Verbosity.forFewDevices(verbose);
        List<DeviceLock> locks = new ArrayList<>();
        try {
            // Before anything of a device is read: one device directory, one device (docs/FIRMWARE.md).
            for (Path dir : deviceDirectories()) {
                locks.add(lock(dir));
            }
            return run(locks);
        } finally {
            for (DeviceLock lock : locks) {
                lock.close();
            }
        }
    }

    private Integer run(List<DeviceLock> locks) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<DeviceDirectory> devices = devices(locks);
        Map<String, Duration> rings = new HashMap<>();
        for (Map.Entry<String, String> e : ringAt.entrySet()) {
            try {
                rings.put(e.getKey(), DurationConverter.parse(e.getValue()));
            } catch (TypeConversionException bad) {
                throw new ParameterException(
                        spec.commandLine(), "--ring-at " + e.getKey() + "=" + e.getValue() + ": " + bad.getMessage());
            }
        }
        SimulationOptions options = new SimulationOptions(
                HostPortConverter.host(uplink),
                HostPortConverter.port(uplink),
                insecurePlaintext,
                seed,
                Profile.parse(profile),
                duration,
                rings,
                ringRate,
                crossingRate,
                preRoll,
                postRoll,
                maxClip,
                connectTimeout,
                drainTimeout,
                progressEvery,
                pad);
        out.printf(
                "simulating %d doorbell(s) for %d s at %s, seed %d%s%s%n",
                devices.size(),
                duration.toSeconds(),
                profile,
                seed,
                pad > 0 ? ", frames padded to " + pad + " bytes" : "",
                virtualClock ? " (virtual clock)" : "");
        out.flush();
        if (crashAt != null) {
            spec.commandLine().getErr().println(InsecureCrashPoints.warning(crashAt));
            InsecureCrashPoints.arm(crashAt);
        }
        FaultPlan plan = FaultPlan.of(faults, seed);
        for (DeviceDirectory device : devices) {
            plan.warnings(device.deviceId()).forEach(spec.commandLine().getErr()::println);
        }
        spec.commandLine().getErr().flush();
        Simulation simulation = new Simulation(
                devices,
                options,
                virtualClock ? VirtualSimClock::startingAtDefault : SystemSimClock::new,
                SealObserver.NONE,
                out,
                plan);
        try (StopSignals signals =
                StopSignals.install("simulate", spec.commandLine().getErr())) {
            SimulationReport report = simulation.run(signals.stop());
            report.print(out);
            int verdict = report.complete() ? 0 : 1;
            return report.interrupted() ? signals.exitStatus(verdict) : verdict;
        }
    }

    private List<Path> deviceDirectories() throws IOException {
        List<Path> dirs = new ArrayList<>(deviceDirs);
        if (devicesDir != null) {
            try (Stream<Path> list = Files.list(devicesDir)) {
                list.filter(Files::isDirectory).sorted().forEach(dirs::add);
            }
        }
        if (dirs.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), "name the doorbells with --devices-dir DIR or --device-dir DIR");
        }
        return dirs;
    }

    private DeviceLock lock(Path dir) {
        try {
            return DeviceLock.acquire(dir);
        } catch (DeviceDirectoryInUse e) {
            if (e.thisProcess()) {
                throw new ParameterException(
                        spec.commandLine(),
                        "device directory " + dir + " is named twice; one device directory, one device");
            }
            throw e;
        }
    }

    private List<DeviceDirectory> devices(List<DeviceLock> locks) {
        List<DeviceDirectory> devices = new ArrayList<>();
        for (DeviceLock lock : locks) {
            devices.add(DeviceDirectory.load(lock.directory()));
        }
        for (String id : ringAt.keySet()) {
            if (devices.stream().noneMatch(d -> d.deviceId().equals(id))) {
                throw new ParameterException(spec.commandLine(), "--ring-at names " + id + ", which is not simulated");
            }
        }
        return devices;
    }
}
