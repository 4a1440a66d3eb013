package dev.doorbell.app;

import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.HostPortConverter;
import dev.doorbell.device.fault.CrashPoint;
import dev.doorbell.device.fault.InsecureCrashPoints;
import dev.doorbell.device.fault.InsecureCrashPoints.CrashAt;
import dev.doorbell.device.tls.DeviceDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "crash-device",
        mixinStandardHelpOptions = true,
        description = {
            "Crashes a real device process again and again, restarts it, and checks after each crash what must hold.",
            "",
            "Each round runs the device as a child process against a running uplink: `doorbell simulate` on",
            "--device-dir, or your firmware (--device-command). A --crash-at round halts it at a named step of a key",
            "or state update (simulate --insecure-crash-at; --all-points runs every chain.state step); a kill round",
            "kills it with SIGKILL at a seeded random moment. The next round is its restart; a clean run ends the",
            "series. After every round the owner's side of --store is checked: no nonce prefix, salt, key commitment",
            "or HPKE encapsulation used twice; no chain position used twice or gone back (no CHAIN BROKEN); every",
            "acknowledged frame stored (no MISSING); every clip OK or TRUNCATED; a device that restarts after a crash",
            "starts; its chain.state never behind what it sent (docs/FIRMWARE.md, \"Crash safety\").",
            "Exit status: 0 when every round held, 1 when one did not, 2 on a usage or I/O error."
        })
public final class CrashDeviceCommand implements Callable<Integer> {
    /** How long one round may take before the harness gives up on it (a device that hangs is a failure too). */
    private static final Duration ROUND_LIMIT = Duration.ofSeconds(90);
    /** How a round that ended with a usage or I/O error (exit 2: no uplink, an unusable state) is reported. */
    private static final String REFUSED = "FAIL: exit 2";

    private static final String NOT_REACHED = "FAIL: the run ended (exit 0) without reaching";

    @Spec
    CommandSpec spec;

    @Option(names = "--device-dir", required = true, paramLabel = "DIR", description = "The paired device directory.")
    Path deviceDir;

    @Option(
            names = "--uplink",
            required = true,
            paramLabel = "HOST:PORT",
            converter = HostPortConverter.class,
            description = "The running uplink the device connects to.")
    String uplink;

    @Option(names = "--store", required = true, paramLabel = "DIR", description = "That uplink's store directory.")
    Path store;

    @Option(
            names = "--identity",
            required = true,
            paramLabel = "OWNER",
            description = "The owner (or a viewer) directory that opens the device's clips.")
    Path identity;

    @Option(
            names = "--crash-at",
            paramLabel = "POINT[:N]",
            converter = CrashAtConverter.class,
            description = "A round that halts simulate the N-th time it reaches POINT (repeatable).")
    List<CrashAt> crashAt = new ArrayList<>();

    @Option(
            names = "--all-points",
            description = "A round for each step of every chain.state update (clip-start.*, first-ack.*, final-ack.*),"
                    + " each at its 2nd occurrence so that a clip came before it.")
    boolean allPoints;

    @Option(
            names = "--kills",
            paramLabel = "N",
            defaultValue = "0",
            description = "Rounds that kill the device with SIGKILL at a random moment (default: ${DEFAULT-VALUE}).")
    int kills;

    @Option(
            names = "--within",
            paramLabel = "DURATION",
            defaultValue = "60s",
            converter = DurationConverter.class,
            description = "No kill round starts after this long from the first one (default: ${DEFAULT-VALUE}).")
    Duration within;

    @Option(
            names = "--max-delay",
            paramLabel = "DURATION",
            defaultValue = "4s",
            converter = DurationConverter.class,
            description = "A kill comes 0 to this long after the device says it started (default: ${DEFAULT-VALUE}).")
    Duration maxDelay;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description = "Seeds the kill moments and the scenes (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--device-command",
            paramLabel = "COMMAND",
            description = "Your firmware instead of simulate: a command line split at spaces, {uplink} replaced by"
                    + " --uplink; it must run until killed or done. Kill rounds only.")
    String deviceCommand;

    @Option(
            names = "--chain-state",
            paramLabel = "FILE",
            description = "The device's chain state file to check (default: DIR/chain.state for simulate; none for"
                    + " --device-command).")
    Path chainState;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (allPoints) {
            for (CrashPoint p : CrashPoint.values()) {
                if (p.update() != CrashPoint.Update.RECIPIENTS) {
                    crashAt.add(new CrashAt(p, 2));
                }
            }
        }
        if (deviceCommand != null && !crashAt.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), "--crash-at and --all-points need simulate; with --device-command use --kills");
        }
        if (crashAt.isEmpty() && kills <= 0) {
            throw new ParameterException(spec.commandLine(), "give --crash-at POINT, --all-points or --kills N");
        }
        String deviceId = DeviceDirectory.load(deviceDir).deviceId();
        Path state = chainState != null ? chainState : deviceCommand == null ? deviceDir.resolve("chain.state") : null;
        Path scratch = Files.createTempDirectory("doorbell-crash-device-");
        int failed = 0;
        int rounds = 0;
        try (ClipOpeners openers = ClipOpeners.load(null, identity, null)) {
            CrashChecks checks = new CrashChecks(store, deviceId, openers, state, scratch.resolve("opened"));
            out.printf(
                    "crash-device %s: %d crash point(s), %d kill(s) within %d s, seed %d, uplink %s%n",
                    deviceId, crashAt.size(), kills, within.toSeconds(), seed, uplink);
            out.flush();
            List<Round> plan = new ArrayList<>();
            for (CrashAt at : crashAt) {
                plan.add(Round.crash(at));
            }
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < kills; i++) {
                plan.add(Round.kill(Duration.ofMillis(random.nextLong(maxDelay.toMillis() + 1))));
            }
            plan.add(Round.clean());
            long killsDeadline = 0;
            for (Round round : plan) {
                if (round.kind == Kind.KILL) {
                    if (killsDeadline == 0) {
                        killsDeadline = System.nanoTime() + within.toNanos();
                    } else if (System.nanoTime() > killsDeadline) {
                        continue;
                    }
                }
                rounds++;
                String ran = run(round, rounds, deviceId, scratch);
                // Whether an acknowledgement comes before the next clip starts depends on timing: a point not reached
                // is tried again (each try is a restart as well), up to three runs.
                for (int attempt = 2; attempt <= 3 && ran.startsWith(NOT_REACHED); attempt++) {
                    ran = run(round, rounds * 10 + attempt, deviceId, scratch) + " (run " + attempt + " of 3)";
                }
                CrashChecks.Result result = checks.check();
                boolean roundFailed = ran.startsWith("FAIL");
                out.printf("%-4d %-34s %s%n", rounds, round.name(), ran);
                out.println(result.passed() ? "     held: " + result.summary() : "     VIOLATED: " + result.summary());
                result.violations().forEach(v -> out.println("     " + v));
                out.flush();
                if (roundFailed || !result.passed()) {
                    failed++;
                }
                if (ran.startsWith(REFUSED)) {
                    out.println("     the device cannot run (see above): the rounds after this one would say nothing");
                    break;
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(scratch)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        out.printf(
                "crash-device %s: %d round(s), %s%n",
                deviceId, rounds, failed == 0 ? "every invariant held" : failed + " VIOLATED");
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    private enum Kind {
        CRASH,
        KILL,
        CLEAN
    }

    private record Round(Kind kind, CrashAt at, Duration delay) {
        static Round crash(CrashAt at) {
            return new Round(Kind.CRASH, at, null);
        }

        static Round kill(Duration delay) {
            return new Round(Kind.KILL, null, delay);
        }

        static Round clean() {
            return new Round(Kind.CLEAN, null, null);
        }

        String name() {
            return switch (kind) {
                case CRASH -> "crash-at " + at;
                case KILL -> "kill -9 after " + delay.toMillis() + " ms";
                case CLEAN -> "clean run";
            };
        }
    }

    /** Runs one round's device process to its end; a line saying how it ended, starting with FAIL when wrongly. */
    private String run(Round round, int number, String deviceId, Path scratch)
            throws IOException, InterruptedException {
        List<String> command = command(round, number, deviceId);
        Path log = scratch.resolve("round-" + number + ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (round.kind == Kind.KILL) {
                long startedBy = System.nanoTime() + ROUND_LIMIT.toNanos();
                while (process.isAlive() && !started(log) && System.nanoTime() < startedBy) {
                    process.waitFor(20, TimeUnit.MILLISECONDS);
                }
                if (process.isAlive()) {
                    process.waitFor(round.delay.toMillis(), TimeUnit.MILLISECONDS);
                }
                if (process.isAlive()) {
                    process.destroyForcibly();
                    process.waitFor(ROUND_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                    return startedOrRefused(log, "killed (SIGKILL), exit " + process.exitValue());
                }
            }
            if (!process.waitFor(ROUND_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return "FAIL: still running after " + ROUND_LIMIT.toSeconds() + " s; killed. Last lines: " + tail(log);
            }
            int exit = process.exitValue();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (exit == 2) {
                return REFUSED + ": " + tail(log);
            }
            return switch (round.kind) {
                case CRASH ->
                    exit == InsecureCrashPoints.EXIT_STATUS
                                    && output.contains("INSECURE CRASH POINT " + round.at + " reached")
                            ? startedOrRefused(log, "halted at " + round.at + " (exit " + exit + ")")
                            : exit == 0
                                    ? NOT_REACHED + " " + round.at
                                    : startedOrRefused(log, "FAIL: exit " + exit + " before reaching " + round.at);
                case KILL -> startedOrRefused(log, "ended by itself before the kill, exit " + exit);
                case CLEAN ->
                    exit == 0
                            ? "clean run, exit 0: every sealed clip PERSISTED"
                            : startedOrRefused(log, "FAIL: clean run, exit " + exit + ": " + tail(log));
            };
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /** A device that does not start after a crash fails the round, whatever else happened. */
    private String startedOrRefused(Path log, String how) throws IOException {
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (!output.isEmpty() && !started(log)) {
            return "FAIL: the device did not start after the previous round: " + tail(log);
        }
        return how;
    }

    /** simulate says so; a device of its own (--device-command) is taken as started when its process is. */
    private boolean started(Path log) {
        if (deviceCommand != null) {
            return true;
        }
        try {
            return Files.readString(log, StandardCharsets.UTF_8).contains("simulating ");
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private List<String> command(Round round, int number, String deviceId) {
        if (deviceCommand != null) {
            return Arrays.stream(deviceCommand.trim().split("\\s+"))
                    .map(a -> a.replace("{uplink}", uplink))
                    .toList();
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                DoorbellCli.class.getName(),
                "simulate",
                "--device-dir",
                deviceDir.toString(),
                "--uplink",
                uplink,
                "--profile",
                "240p",
                "--seed",
                Long.toString(seed + number),
                "--crossing-rate",
                "30",
                "--pre-roll",
                "500ms",
                "--post-roll",
                "500ms",
                "--max-clip",
                "2s",
                "--ring-at",
                deviceId + "=1s",
                "--drain-timeout",
                "20s"));
        switch (round.kind) {
            case CRASH ->
                command.addAll(
                        List.of("--virtual-clock", "--duration", "8s", "--insecure-crash-at", round.at.toString()));
            case KILL -> command.addAll(List.of("--duration", "30s"));
            case CLEAN -> command.addAll(List.of("--virtual-clock", "--duration", "4s"));
        }
        return command;
    }
}
