package dev.doorbell.uplink.cli;

import dev.doorbell.cli.CliErrors;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.Tables;
import dev.doorbell.uplink.store.Retention;
import dev.doorbell.uplink.store.RetentionLedger;
import dev.doorbell.uplink.store.StoreFinding;
import dev.doorbell.uplink.store.StoreListing;
import dev.doorbell.uplink.store.StoreLockedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code store}: the operator's tools for a store (docs/OPERATIONS.md, "Store tools and retention"): {@code list},
 * {@code verify} (issue 6's fsck), {@code expire} and {@code delete}.
 */
@Command(
        name = "store",
        mixinStandardHelpOptions = true,
        versionProvider = UplinkCli.Version.class,
        description = "Store tools: list, verify, expire (retention by age), delete (an owner's signed request).",
        subcommands = {
            StoreCommand.ListCommand.class,
            StoreCommand.ExpireCommand.class,
            StoreCommand.DeleteCommand.class
        })
public final class StoreCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "give a store command: list, verify, expire or delete ('store --help')");
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            versionProvider = UplinkCli.Version.class,
            description = {
                "List a store: per device its clips (closed, open, damaged), frames, bytes, first and last arrival "
                        + "(the uplink's own record times); totals; segments and their sizes; what retention deleted.",
                "Reads a live store without its lock, up to its last group commit, and says so.",
                "Exit status: 0 listed, 2 usage or I/O error."
            })
    static final class ListCommand implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(
                names = "--data",
                required = true,
                paramLabel = "DIR",
                description = "Store directory (serve's --data).")
        private Path data;

        @Option(names = "--json", description = "One JSON object instead of tables.")
        private boolean json;

        @Override
        public Integer call() {
            StoreListing.Listing listing;
            try {
                listing = StoreListing.list(data);
            } catch (IOException e) {
                spec.commandLine().getErr().println("store list: " + CliErrors.message(e));
                return CliErrors.EXIT_USAGE;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(StoreListingJson.of(listing));
            } else {
                printText(listing, out);
            }
            out.flush();
            return 0;
        }

        private static void printText(StoreListing.Listing l, PrintWriter out) {
            out.println("store " + l.dir() + ": doorbell-store v" + l.version()
                    + (l.livePid() == -1
                            ? ", stopped"
                            : ", live (uplink pid " + l.livePid() + ")"
                                    + (l.readUpTo() == null
                                            ? ": no checkpoint, the newest segment's tail may be in mid-write"
                                            : ": read up to the last group commit, " + l.readUpTo())));
            out.printf(
                    "%-40s %6s %6s %6s %7s %8s %10s  %-24s %-24s %7s%n",
                    "device",
                    "clips",
                    "closed",
                    "open",
                    "damaged",
                    "frames",
                    "bytes",
                    "first arrival",
                    "last arrival",
                    "deleted");
            for (StoreListing.Device d : l.devices()) {
                out.printf(
                        "%-40s %6d %6d %6d %7d %8d %10s  %-24s %-24s %7d%n",
                        d.deviceId(),
                        d.clips(),
                        d.closed(),
                        d.open(),
                        d.damaged(),
                        d.frames(),
                        Tables.bytes(d.bytes()),
                        time(d.firstArrivalMs(), d.clips()),
                        time(d.lastArrivalMs(), d.clips()),
                        d.deleted());
            }
            out.println("total: " + l.devices().size() + " devices, " + l.clips() + " clips, " + l.frames()
                    + " frames, " + Tables.bytes(l.bytes()) + " of records; "
                    + l.segments().size() + (l.segments().size() == 1 ? " segment, " : " segments, ")
                    + Tables.bytes(l.segmentBytes()) + " on disk; " + l.deletedClips() + " clips deleted by retention"
                    + (l.deletedRecordsLeft() > 0
                            ? " (" + l.deletedRecordsLeft()
                                    + " of their records wait in segments not reclaimed yet: the newest"
                                    + " segment is never rewritten)"
                            : ""));
            for (StoreListing.Segment s : l.segments()) {
                out.println("segment " + s.name() + ": " + Tables.bytes(s.bytes()) + " (" + s.bytes() + " bytes), "
                        + s.records() + " records" + (s.retention().isEmpty() ? "" : ", " + s.retention()));
            }
            long errors = l.findings().stream().filter(StoreFinding::damage).count();
            if (errors > 0) {
                out.println(errors + " findings: the store is not what was acknowledged; "
                        + "`scripts/uplink store verify --data " + l.dir() + "` lists them");
            }
        }

        private static String time(long ms, int clips) {
            return clips == 0 ? "-" : Instant.ofEpochMilli(ms).toString();
        }
    }

    @Command(
            name = "expire",
            mixinStandardHelpOptions = true,
            versionProvider = UplinkCli.Version.class,
            description = {
                "Retention by age on a stopped store: delete every clip whose last record arrived longer ago than "
                        + "--older-than, record it in DIR/retention/ledger, and reclaim the space in closed segments "
                        + "(removed or compacted; the newest segment is never rewritten).",
                "A running uplink does the same with serve --retain.",
                "Exit status: 0 done, 2 usage or I/O error, or the store is in use."
            })
    static final class ExpireCommand implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(
                names = "--data",
                required = true,
                paramLabel = "DIR",
                description = "Store directory (serve's --data).")
        private Path data;

        @Option(
                names = "--older-than",
                required = true,
                paramLabel = "DURATION",
                converter = DurationConverter.class,
                description = "The retention limit (" + DurationConverter.SYNTAX + ").")
        private Duration olderThan;

        @Option(names = "--dry-run", description = "Say what would be deleted; change nothing.")
        private boolean dryRun;

        @Override
        public Integer call() {
            return report(
                    spec, "store expire", data, () -> Retention.expire(data, olderThan, dryRun, Clock.systemUTC()));
        }
    }

    @Command(
            name = "delete",
            mixinStandardHelpOptions = true,
            versionProvider = UplinkCli.Version.class,
            description = {
                "Apply an owner's signed request (doorbell owner forget) on a stopped store: delete the clips it names, "
                        + "keep the request byte for byte in DIR/retention/requests/ as a tombstone, reclaim space.",
                "The uplink cannot check the request's signature (it holds no keys): check it first with "
                        + "`doorbell store check-request`. The owner's open checks it again and calls clips deleted "
                        + "without a valid request MISSING.",
                "Exit status: 0 done, 2 usage or I/O error, a malformed request, or the store is in use."
            })
    static final class DeleteCommand implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(
                names = "--data",
                required = true,
                paramLabel = "DIR",
                description = "Store directory (serve's --data).")
        private Path data;

        @Option(names = "--request", required = true, paramLabel = "FILE", description = "The owner's request file.")
        private Path request;

        @Option(names = "--dry-run", description = "Say what would be deleted; change nothing.")
        private boolean dryRun;

        @Override
        public Integer call() {
            return report(
                    spec,
                    "store delete",
                    data,
                    () -> Retention.delete(data, Files.readAllBytes(request), dryRun, Clock.systemUTC()));
        }
    }

    private interface Action {
        Retention.Result run() throws IOException;
    }

    private static int report(CommandSpec spec, String name, Path data, Action action) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Retention.Result result;
        RetentionLedger.Rewrite rewrite = null;
        try {
            result = action.run();
            if (!result.dryRun()) {
                rewrite = Retention.compactLedger(data, Clock.systemUTC());
            }
        } catch (StoreLockedException e) {
            err.println(name + ": " + e.getMessage() + "; stop it first, or let it apply retention itself "
                    + "(serve --retain, or drop the request into DIR/retention/inbox/)");
            return CliErrors.EXIT_USAGE;
        } catch (IOException | IllegalArgumentException e) {
            err.println(name + ": " + CliErrors.message(e));
            return CliErrors.EXIT_USAGE;
        }
        String verb = result.dryRun() ? "would delete" : "deleted";
        for (Retention.Victim v : result.clips()) {
            out.println(verb + " device " + v.deviceId() + " clip " + Long.toUnsignedString(v.clipId())
                    + (v.position() > 0 ? " (position " + v.position() + ")" : "") + ": " + Tables.bytes(v.bytes())
                    + ", last arrival " + Instant.ofEpochMilli(v.lastArrivalMs()));
        }
        if (result.tombstone() != null) {
            out.println("request kept as retention/requests/" + result.tombstone());
        }
        result.segments().forEach(out::println);
        if (rewrite != null) {
            out.println("retention ledger rewritten (generation " + rewrite.generation() + "): " + rewrite.linesBefore()
                    + " lines, " + Tables.bytes(rewrite.bytesBefore()) + " before; " + rewrite.linesAfter() + " lines, "
                    + Tables.bytes(rewrite.bytesAfter()) + " after");
        }
        out.println(name + ": " + result.clips().size() + " clips " + verb
                + (result.dryRun()
                        ? ""
                        : ", " + Tables.bytes(result.reclaimedBytes()) + " reclaimed"
                                + (result.waitingBytes() > 0
                                        ? ", " + Tables.bytes(result.waitingBytes())
                                                + " wait in the newest segment until it is closed"
                                        : "")));
        out.flush();
        return 0;
    }
}
