package dev.doorbell.uplink.cli;

import dev.doorbell.cli.CliErrors;
import dev.doorbell.proto.v1.StoredSegmentStart;
import dev.doorbell.uplink.store.StoreCheck;
import dev.doorbell.uplink.store.StoreFinding;
import dev.doorbell.uplink.store.StoreLockedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fsck}: lists and verifies a store without starting a server (docs/FORMAT.md §6), one line per segment and
 * one per finding; {@code --salvage} also does what the uplink does when it starts. Exit 0 when nothing
 * acknowledged is lost or damaged, 1 when something is, 2 on a usage or I/O error.
 */
@Command(
        name = "fsck",
        mixinStandardHelpOptions = true,
        versionProvider = UplinkCli.Version.class,
        description = {
            "Check a store without starting a server: its segments, every record, the chain of start records "
                    + "and the checkpoint. One line per segment, one per finding.",
            "Exit status: 0 clean (warnings allowed), 1 damaged, missing or shortened data, 2 usage or I/O error."
        })
public final class FsckCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Store directory (serve's --data).")
    private Path data;

    @Option(
            names = "--salvage",
            description = "Also act as the uplink does when it starts: copy each damaged range "
                    + "aside to DIR/damaged/ (listed in ranges.txt; nothing is deleted) and cut a tail past the checkpoint that was "
                    + "never acknowledged. Needs the store's lock: refused while an uplink holds it.")
    private boolean salvage;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        StoreCheck.Report report;
        try {
            report = salvage ? StoreCheck.salvage(data) : StoreCheck.check(data);
        } catch (StoreLockedException e) {
            err.println("fsck: " + e.getMessage() + "; --salvage needs it stopped (fsck without --salvage reads a live "
                    + "store)");
            return CliErrors.EXIT_USAGE;
        } catch (IOException e) {
            err.println("fsck: " + CliErrors.message(e));
            return CliErrors.EXIT_USAGE;
        }
        print(report, out);
        out.flush();
        return report.damage() ? 1 : 0;
    }

    private static void print(StoreCheck.Report report, PrintWriter out) {
        out.println("store " + report.dir() + ": doorbell-store v" + report.version()
                + (report.livePid() == -1 ? "" : ", live (uplink pid " + report.livePid() + ")"));
        if (report.version() >= 2) {
            out.println("checkpoint: "
                    + (report.checkpoint() == null
                            ? "none valid"
                            : report.checkpoint().toString()));
        }
        for (StoreCheck.Segment segment : report.segments()) {
            out.println("segment " + segment.name() + ": " + count(segment.bytes(), "byte") + ", "
                    + count(segment.records(), "record") + ", " + start(segment.start()) + ", "
                    + (segment.committedLength() < 0
                            ? "committed length not known"
                            : "committed "
                                    + count(segment.committedLength(), "byte") + " and "
                                    + count(segment.committedRecords(), "record") + " by "
                                    + segment.committedBy()));
        }
        int errors = 0;
        int warnings = 0;
        for (StoreFinding finding : report.findings()) {
            String level = finding.damage()
                    ? "ERROR"
                    : switch (finding.kind()) {
                        case UNACKNOWLEDGED, TORN_TAIL, UNCHECKED -> "WARN";
                        default -> "INFO";
                    };
            errors += finding.damage() ? 1 : 0;
            warnings += level.equals("WARN") ? 1 : 0;
            out.println(level + " " + finding);
        }
        report.salvaged().forEach(action -> out.println("salvaged: " + action));
        String counts = count(report.segments().size(), "segment") + ", " + count(report.records(), "record") + ", "
                + count(report.clips(), "clip");
        if (report.damage()) {
            out.println("fsck: " + count(errors, "error") + ", " + count(warnings, "warning") + "; " + counts + " ("
                    + report.damagedClips() + " damaged): the store is not what was acknowledged");
        } else {
            out.println("fsck: clean" + (warnings > 0 ? " but for " + count(warnings, "warning") : "") + "; " + counts);
        }
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String start(StoredSegmentStart start) {
        if (start == null) {
            return "no start record";
        }
        if (start.getPreviousSegment() == 0) {
            return "start record: first segment";
        }
        return "start record: after segment " + String.format("%010d", start.getPreviousSegment()) + " ("
                + start.getPreviousLength() + " bytes, " + start.getPreviousRecords() + " records)";
    }
}
