package dev.doorbell.app;

import dev.doorbell.app.matrix.FaultMatrix;
import dev.doorbell.app.matrix.MatrixCell;
import dev.doorbell.app.matrix.MatrixExpectations;
import dev.doorbell.app.matrix.MatrixReport;
import dev.doorbell.app.matrix.MatrixRow;
import dev.doorbell.app.matrix.UplinkLauncher;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.device.fault.FirmwareFault;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "fault-matrix",
        mixinStandardHelpOptions = true,
        description = {
            "Runs every firmware fault mode (simulate --fault) and says which layer catches each.",
            "",
            "The layers (docs/FIRMWARE.md §6): the device's own self-checks, the uplink without keys (a fresh real",
            "uplink per fault: its misuse flags and Errors), the device bench with the owner's identity (INSECURE: it",
            "holds the owner's keys of a test fleet it makes itself), the owner's open, or nobody. A baseline row",
            "(`none`) runs the device as it ships.",
            "",
            "Prints a table with progress, writes DIR/matrix.json and DIR/matrix.html (self-contained). Exit status: 0",
            "when every cell is as docs/FIRMWARE.md states, 1 otherwise, 2 on a usage or I/O error."
        })
public final class FaultMatrixCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "7",
            description = "seed of every fault (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "fault-matrix",
            description = "where the runs, matrix.json and matrix.html go (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--faults",
            paramLabel = "NAME[,NAME...]",
            split = ",",
            description = "only these rows (fault names, or `none` for the baseline; default: every one)")
    List<String> faults;

    @Option(names = "--json", description = "print matrix.json on stdout instead of the table")
    boolean json;

    @Option(
            names = "--boot",
            paramLabel = "DURATION",
            defaultValue = "4s",
            converter = DurationConverter.class,
            description = "how long each of the two boots records, on a virtual clock (default: ${DEFAULT-VALUE})")
    Duration boot;

    @Option(
            names = "--uplink-jar",
            paramLabel = "JAR",
            description = "the uplink's runnable jar (default: $DOORBELL_UPLINK_JAR, else doorbell-uplink.jar beside"
                    + " this jar or in the checkout's uplink/target)")
    Path uplinkJar;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        List<String> rows = rows();
        UplinkLauncher uplinks = launcher();
        stderr.println("WARNING: fault-matrix makes its own test fleet and owner in " + out
                + "; its bench holds that owner's keys, and every fault row's clips are deliberately broken");
        stderr.flush();
        PrintWriter progress = json ? stderr : stdout;
        FaultMatrix matrix = new FaultMatrix(new FaultMatrix.Config(seed, out, rows, uplinks, boot));
        MatrixReport report = matrix.run(
                line -> {
                    progress.println(line);
                    progress.flush();
                },
                row -> {
                    progress.println(rowLine(row));
                    progress.flush();
                });
        report.write(out);
        if (json) {
            stdout.print(report.toJson());
        } else {
            stdout.println();
            report.printTable(stdout);
            stdout.println("wrote " + out.resolve("matrix.json") + " and " + out.resolve("matrix.html"));
        }
        stdout.flush();
        return report.matched() ? 0 : 1;
    }

    private static String rowLine(MatrixRow row) {
        if (row.error() != null && row.cells().isEmpty()) {
            return "    " + row.fault() + ": NOT RUN: " + row.error();
        }
        List<String> caught = new ArrayList<>();
        for (MatrixCell c : row.cells()) {
            if (c.caught()) {
                caught.add(c.layer().id());
            }
        }
        return String.format(
                "    %s: caught by %s%s (%.1f s)",
                row.fault(),
                caught.isEmpty() ? "nobody" : String.join(", ", caught),
                row.matches()
                        ? ", as documented"
                        : ", NOT as documented" + (row.error() == null ? "" : ": " + row.error()),
                row.millis() / 1000.0);
    }

    private List<String> rows() {
        List<String> all = MatrixExpectations.allRows();
        if (faults == null || faults.isEmpty()) {
            return all;
        }
        List<String> chosen = new ArrayList<>();
        for (String f : faults) {
            String name = f.strip();
            if (!all.contains(name)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--faults: unknown fault '" + name + "'; known: " + MatrixExpectations.BASELINE + ", "
                                + FirmwareFault.names());
            }
            if (!chosen.contains(name)) {
                chosen.add(name);
            }
        }
        return chosen;
    }

    /** The uplink's jar, found as documented; the class path when the uplink is on it (the tests). */
    private UplinkLauncher launcher() {
        if (uplinkJar != null) {
            if (!Files.isRegularFile(uplinkJar)) {
                throw new ParameterException(spec.commandLine(), "--uplink-jar " + uplinkJar + " is not a file");
            }
            return UplinkLauncher.jar(uplinkJar);
        }
        String fromEnv = System.getenv("DOORBELL_UPLINK_JAR");
        if (fromEnv != null && !fromEnv.isBlank() && Files.isRegularFile(Path.of(fromEnv))) {
            return UplinkLauncher.jar(Path.of(fromEnv));
        }
        for (Path candidate : besideThisJar()) {
            if (Files.isRegularFile(candidate)) {
                return UplinkLauncher.jar(candidate);
            }
        }
        if (uplinkOnClassPath()) {
            return UplinkLauncher.classPath();
        }
        throw new ParameterException(
                spec.commandLine(),
                "cannot find the uplink's jar: give --uplink-jar JAR (build it with ./mvnw -pl uplink -am package)");
    }

    private static List<Path> besideThisJar() {
        CodeSource source = FaultMatrixCommand.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return List.of();
        }
        try {
            Path self = Path.of(source.getLocation().toURI());
            if (!Files.isRegularFile(self) || self.getParent() == null) {
                return List.of();
            }
            Path dir = self.getParent();
            return List.of(
                    dir.resolve("doorbell-uplink.jar"),
                    dir.resolve("../../uplink/target/doorbell-uplink.jar").normalize());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return List.of();
        }
    }

    private static boolean uplinkOnClassPath() {
        try {
            Class.forName("dev.doorbell.uplink.cli.UplinkCli", false, FaultMatrixCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
