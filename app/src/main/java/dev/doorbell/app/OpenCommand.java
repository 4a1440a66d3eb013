package dev.doorbell.app;

import dev.doorbell.cli.Tables;
import dev.doorbell.owner.ClipResult;
import dev.doorbell.owner.ClipVideo;
import dev.doorbell.owner.RetentionVerdicts;
import dev.doorbell.owner.ShippedStoreReader;
import dev.doorbell.owner.StoreChains;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreFinding;
import dev.doorbell.owner.StoreMerge;
import dev.doorbell.owner.StoreOpener;
import dev.doorbell.owner.StoreReport;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.owner.chain.ChainFinding;
import dev.doorbell.owner.identity.ViewerDirectory;
import dev.doorbell.tier.S3Location;
import dev.doorbell.tier.S3Options;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "open",
        mixinStandardHelpOptions = true,
        description = {
            "Opens the clips in an uplink's store: format v2 with an identity, format v1 with the owner's keyring.",
            "",
            "--identity is the owner's directory or a viewer's (viewer.key and the owner's owner.pub): it opens the v2",
            "clips whose recipient list named it, after checking the device's signature and its key's certificate from the",
            "owner. --share FILE with --identity THIRD_PARTY opens the one clip the owner shared. --keyring opens v1 clips",
            "(stores written before format v2); give both to open a store that holds both. A clip of the other format gets",
            "NO KEY with what opens it.",
            "",
            "Verifies the key commitment, every tag, order, gaps, duplicates and truncation; writes every verified frame",
            "as OUT/DEVICE/CLIP/frame-NNNNN.jpg with a contact-sheet.png and verdict.txt per clip, and OUT/summary.txt;",
            "prints one verdict per clip: OK, TRUNCATED (final frame missing), TAMPERED at frame N with the reason, or",
            "DAMAGED (records lost in a damaged range or a missing or shortened segment of the store, which are listed).",
            "With --video, each clip's verified frames also as a video any player plays (see --video).",
            "",
            "Then each device's chain of format v3 clips (each header names the clip before it): MISSING N clip(s)",
            "between A and B (a clip gone from the middle), MISSING at frame M (frames the uplink acknowledged are gone),",
            "CHAIN BROKEN (two clips at one position, or a wrong predecessor), UNSENT (a clip that never reached the",
            "uplink, as after a power loss) and HEAD (the newest clip: later ones may not have arrived yet).",
            "The store is only read; a store an uplink is running on is read up to its last group commit.",
            "Exit status: 0 when every clip is OK and the store is whole, 1 when a clip is not OK, the store is damaged or",
            "shorter than committed, a chain says MISSING or CHAIN BROKEN, or no clip matched --device/--clip; 2 on a",
            "usage or I/O error."
        })
public final class OpenCommand implements Callable<Integer> {
    private static final String KEY_MISMATCH = "key commitment mismatch";
    /** A device's worst verdict is shown in the table; later entries are worse. */
    private static final List<String> SEVERITY =
            List.of("OK", "TRUNCATED", "NO KEY", "MISSING", "DAMAGED", "CHAIN BROKEN", "KEY REUSED", "TAMPERED");

    @Spec
    CommandSpec spec;

    @Option(
            names = "--store",
            required = true,
            paramLabel = "DIR|s3://BUCKET/PREFIX",
            description = {
                "The uplink's store directory, or where shippers put the stores of one or more uplinks (`scripts/uplink",
                "ship`): every uplink's store under the prefix is read.",
                "Repeat it for uplink processes that share a port: their clips are merged, identical copies of a frame are one",
                "frame, and different copies make the clip TAMPERED."
            })
    List<String> stores;

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            description =
                    "With s3:// stores: the object store's URL, for MinIO, s3proxy and the like (default: AWS's)."
                            + " Credentials come from the AWS SDK's chain: AWS_ACCESS_KEY_ID, AWS_PROFILE or the machine's role.")
    URI endpoint;

    @Option(
            names = "--region",
            paramLabel = "REGION",
            description = "With s3:// stores: the bucket's region (default: AWS_REGION; us-east-1 with --endpoint).")
    String region;

    @Option(names = "--path-style", description = "With s3:// stores: bucket in the path, as MinIO and s3proxy want.")
    boolean pathStyle;

    @Option(
            names = "--keyring",
            paramLabel = "DIR",
            description = "The owner's v1 keyring directory (<device>.root files): opens format v1 clips.")
    Path keyring;

    @Option(
            names = "--identity",
            paramLabel = "DIR",
            description =
                    "An owner directory ('owner init') or a viewer directory ('owner viewer new'): opens format v2"
                            + " clips.")
    Path identity;

    @Option(
            names = "--share",
            paramLabel = "FILE",
            description = "A share ('owner share'): opens that one clip, with --identity the viewer directory it was"
                    + " shared to; without --device/--clip only the shared clip is opened.")
    Path share;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Where to write DEVICE/CLIP/frame-NNNNN.jpg, contact-sheet.png and verdict.txt.")
    Path out;

    @Option(names = "--device", paramLabel = "ID", description = "Open only this device's clips.")
    String device;

    @Option(
            names = "--clip",
            paramLabel = "HEX",
            converter = ClipIdConverter.class,
            description = "Open only this clip (16 hex digits, as listed).")
    String clip;

    @Option(
            names = "--from-position",
            paramLabel = "P",
            defaultValue = "1",
            description = {
                "The first chain position the store is meant to hold for every device (default 1: every clip since",
                "pairing); clips before it deleted on purpose, by retention say, are then not MISSING."
            })
    long fromPosition;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print only the per-device table, and what is wrong with the store.")
    boolean quiet;

    @Option(
            names = "--video",
            description = {
                "Also write each clip's verified frames as OUT/DEVICE/CLIP/video.mkv: the JPEGs unchanged (MJPEG in",
                "Matroska), each at its capture time, with chapters at the pre-roll, each bell press and the trigger frame",
                "(where the contact sheet marks them). A clip that is not OK gets video-VERDICT.mkv (video-TRUNCATED.mkv:",
                "only the frames that verified); a clip with no verified frame gets none. verdict.txt lists the chapters."
            })
    boolean video;

    @Option(names = "--no-table", description = "Do not print the per-device table (it is always in OUT/summary.txt).")
    boolean noTable;

    @Override
    public Integer call() throws Exception {
        if (keyring == null && identity == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "give --identity OWNER_OR_VIEWER (format v2 clips), --keyring DIR (format v1 clips) or both,"
                            + " or --share FILE --identity DIR");
        }
        if (fromPosition < 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--from-position must be 1 or more (chain positions start at 1), got " + fromPosition);
        }
        if (share != null && identity == null) {
            throw new ParameterException(
                    spec.commandLine(), "--share needs --identity, the viewer directory the clip was shared to");
        }
        try (ClipOpeners openers = ClipOpeners.load(keyring, identity, share)) {
            return open(openers);
        }
    }

    /** Reads every store, local or shipped to S3 (fetched to a scratch directory, removed at the end), then opens. */
    private int open(ClipOpeners openers) throws Exception {
        List<ShippedStoreReader> shipped = new ArrayList<>();
        try {
            List<StoreSnapshot> read = new ArrayList<>();
            Map<String, String> names = new LinkedHashMap<>();
            List<String> notes = new ArrayList<>();
            for (String store : stores) {
                if (!S3Location.isS3(store)) {
                    read.add(StoreDirectoryReader.read(Path.of(store)));
                    continue;
                }
                S3Location location;
                try {
                    location = S3Location.parse(store);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--store: " + e.getMessage());
                }
                ShippedStoreReader reader =
                        ShippedStoreReader.read(location, new S3Options(endpoint, region, pathStyle));
                shipped.add(reader);
                read.addAll(reader.snapshots());
                names.putAll(reader.names());
                notes.addAll(reader.notes());
            }
            return open(openers, read, names, notes);
        } finally {
            for (ShippedStoreReader reader : shipped) {
                reader.close();
            }
        }
    }

    private int open(ClipOpeners openers, List<StoreSnapshot> read, Map<String, String> names, List<String> notes)
            throws Exception {
        // A store fetched from S3 is named by its s3:// location, not by the scratch directory it was read from.
        PrintWriter stdout = LocationNames.wrap(spec.commandLine().getOut(), names);
        PrintWriter stderr = LocationNames.wrap(spec.commandLine().getErr(), names);
        if (openers.share() != null && device == null && clip == null) {
            device = openers.share().deviceId();
            clip = String.format("%016x", openers.share().clipId());
        }
        Long clipFilter = clip == null ? null : Long.parseUnsignedLong(clip, 16);
        StoreSnapshot snapshot = StoreMerge.merge(read);
        List<String> storeLines = storeLines(snapshot);
        if (!quiet || snapshot.damaged()) {
            storeLines.forEach(stdout::println);
        }
        List<String> warnings = new ArrayList<>();
        for (StoreReport report : snapshot.stores()) {
            report.notes().forEach(n -> warnings.add((snapshot.stores().size() > 1 ? report.dir() + ": " : "") + n));
        }
        warnings.addAll(snapshot.warnings());
        warnings.addAll(notes);
        warnings.forEach(w -> stderr.println("warning: " + w));
        stdout.flush();
        stderr.flush();
        StoreOpener opener = video ? openers.storeOpener().withVideo() : openers.storeOpener();
        List<ClipResult> results = opener.openAll(snapshot, device, clipFilter, out, r -> {
            if (!quiet) {
                stdout.printf(
                        "%-20s %s  %-6s %6d frames %10s  %s%n",
                        r.deviceId(),
                        r.clipName(),
                        r.trigger(),
                        r.storedFrames(),
                        Tables.bytes(r.sealedBytes()),
                        r.summary());
                // What the uplink saw without any key: informative, the owner's own checks give the verdict.
                r.uplinkFlags()
                        .forEach(f -> stdout.printf("%-20s %s  UPLINK FLAG %s%n", r.deviceId(), r.clipName(), f));
                stdout.flush();
            }
        });
        // The chain needs every clip of a device; one clip opened alone would look like a chain with gaps.
        StoreChains.Report chains = clipFilter == null
                ? StoreChains.check(results, fromPosition)
                : new StoreChains.Report(results, List.of());
        if (identity != null) {
            // Gaps that retention explains: DELETED on the owner's signed request, EXPIRED by the uplink's policy.
            // Each store as read: a local directory, or the scratch copy of one fetched from S3.
            List<Path> dirs =
                    snapshot.stores().stream().map(StoreReport::dir).distinct().toList();
            chains = RetentionVerdicts.apply(chains, dirs, ViewerDirectory.ownerKeyIfKnown(identity), fromPosition);
        }
        results = chains.results();
        List<String> chainLines = chainLines(chains.findings());
        for (int i = 0; i < chainLines.size(); i++) {
            if (!quiet || chains.findings().get(i).failure()) {
                stdout.println(chainLines.get(i));
            }
        }
        StringWriter table = new StringWriter();
        printDeviceTable(new PrintWriter(table), results, chains.findings());
        List<String> keyLines = keyMismatches(results);
        String nothing = results.isEmpty() ? nothingMatched(snapshot, clipFilter) : null;
        StringBuilder summary = new StringBuilder();
        storeLines.forEach(l -> summary.append(l).append('\n'));
        warnings.forEach(w -> summary.append("  warning: ").append(w).append('\n'));
        summary.append(table);
        keyLines.forEach(l -> summary.append(l).append('\n'));
        if (nothing != null) {
            summary.append(nothing).append('\n');
        }
        if (!chainLines.isEmpty()) {
            summary.append("chains of clips:\n");
            chainLines.forEach(l -> summary.append(l).append('\n'));
        }
        List<ClipResult> flagged =
                results.stream().filter(r -> !r.uplinkFlags().isEmpty()).toList();
        if (!flagged.isEmpty()) {
            summary.append("flagged by the uplink (keyless, informative):\n");
            flagged.forEach(r -> r.uplinkFlags()
                    .forEach(f -> summary.append(
                            String.format("%-20s %s  UPLINK FLAG %s%n", r.deviceId(), r.clipName(), f))));
        }
        List<ClipResult> notOk = results.stream().filter(r -> !r.ok()).toList();
        if (!notOk.isEmpty()) {
            summary.append("clips not OK:\n");
            notOk.forEach(
                    r -> summary.append(String.format("%-20s %s  %s%n", r.deviceId(), r.clipName(), r.summary())));
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("summary.txt"), LocationNames.rename(summary.toString(), names));
        if (!noTable) {
            stdout.print(table);
        }
        keyLines.forEach(stdout::println);
        if (nothing != null) {
            stdout.println(nothing);
        }
        storeTotals(snapshot).forEach(stdout::println);
        if (video) {
            String videos = videoTotal(results);
            stdout.println(videos);
            summary.append(videos).append('\n');
            Files.writeString(out.resolve("summary.txt"), summary.toString());
        }
        String chainTotal = chainTotal(chains);
        if (chainTotal != null) {
            stdout.println(chainTotal);
            summary.append(chainTotal).append('\n');
            Files.writeString(out.resolve("summary.txt"), LocationNames.rename(summary.toString(), names));
        }
        stdout.flush();
        boolean filtered = device != null || clipFilter != null;
        boolean clean = notOk.isEmpty() && !snapshot.damaged() && !chains.failed() && !(results.isEmpty() && filtered);
        return clean ? 0 : 1;
    }

    /** One line per chain finding, as the clip lines: the device, then the finding (with the clip for MISSING at frame). */
    private static List<String> chainLines(List<ChainFinding> findings) {
        List<String> lines = new ArrayList<>();
        for (ChainFinding f : findings) {
            lines.add(
                    f.kind() == ChainFinding.Kind.MISSING_FRAMES
                            ? String.format("%-20s %016x  %s", f.deviceId(), f.clipId(), f.line())
                            : String.format("%-20s %s", f.deviceId(), f.line()));
        }
        return lines;
    }

    /** How many clips got a video, and where the first one is, so that the owner knows what to open. */
    private static String videoTotal(List<ClipResult> results) throws IOException {
        int written = 0;
        Path first = null;
        for (ClipResult r : results) {
            Optional<Path> video = ClipVideo.find(r.outDir());
            if (video.isPresent()) {
                written++;
                first = first == null ? video.get() : first;
            }
        }
        return "videos: " + written + " of " + results.size() + " clips"
                + (first == null ? "" : (written > 1 ? " (the first: " : " (") + first + ")");
    }

    /** After everything, the chains' findings counted, when there is more to say than each device's head. */
    private static String chainTotal(StoreChains.Report chains) {
        List<String> counts = new ArrayList<>();
        for (String word :
                List.of("MISSING", "CHAIN BROKEN", "UNSENT", "KEY REUSED", "CLOCK BACKWARDS", "DELETED", "EXPIRED")) {
            long n = chains.count(word);
            if (n > 0) {
                counts.add(n + " " + word);
            }
        }
        return counts.isEmpty() ? null : "chains of clips: " + String.join(", ", counts) + " (listed above)";
    }

    /** Per store: the headline and each finding (damaged ranges, missing segments, less than committed). */
    private static List<String> storeLines(StoreSnapshot snapshot) {
        List<String> lines = new ArrayList<>();
        for (StoreReport report : snapshot.stores()) {
            lines.add(report.headline());
            for (StoreFinding f : report.findings()) {
                lines.add("  " + f.line());
            }
        }
        return lines;
    }

    /** After the clips, one line per store with findings, so that they are not lost above a long list of clips. */
    private static List<String> storeTotals(StoreSnapshot snapshot) {
        List<String> lines = new ArrayList<>();
        for (StoreReport report : snapshot.stores()) {
            if (report.damaged()) {
                Map<String, Integer> kinds = new LinkedHashMap<>();
                report.findings().forEach(f -> kinds.merge(f.kind().label(), 1, Integer::sum));
                List<String> counts = new ArrayList<>();
                kinds.forEach((kind, n) -> counts.add(kind + (n == 1 ? "" : " (" + n + ")")));
                lines.add("store " + report.dir() + " is not whole: " + String.join(", ", counts) + " (listed above)");
            }
        }
        return lines;
    }

    private String nothingMatched(StoreSnapshot snapshot, Long clipFilter) {
        if (device == null && clipFilter == null) {
            return "no clips in " + stores;
        }
        Set<String> devices = new TreeSet<>();
        snapshot.clips().forEach(c -> devices.add(c.deviceId()));
        return "no clip matched" + (device == null ? "" : " --device " + device)
                + (clip == null ? "" : " --clip " + clip)
                + " in " + stores + " (" + snapshot.clips().size() + " clips"
                + (devices.isEmpty()
                        ? ""
                        : " of " + (devices.size() <= 8 ? String.join(", ", devices) : devices.size() + " devices"))
                + ")";
    }

    /**
     * A device none of whose clips' key commitments matches the keyring's root key: one line naming the likely cause,
     * another fleet's keyring, instead of leaving the owner with a TAMPERED per clip.
     */
    static List<String> keyMismatches(List<ClipResult> results) {
        Map<String, Integer> mismatched = new TreeMap<>();
        Set<String> matched = new TreeSet<>();
        for (ClipResult r : results) {
            if (KEY_MISMATCH.equals(r.keyword())) {
                mismatched.merge(r.deviceId(), 1, Integer::sum);
            } else if (r.ok()
                    || r.verdict().equals("TRUNCATED")
                    || r.summary().startsWith(r.verdict() + " at frame ")) {
                matched.add(r.deviceId());
            }
        }
        List<String> lines = new ArrayList<>();
        mismatched.forEach((deviceId, n) -> {
            if (!matched.contains(deviceId)) {
                lines.add("device " + deviceId + ": the keyring's root key matches none of its " + n
                        + (n == 1 ? " clip" : " clips")
                        + " (a wrong keyring, such as another fleet's, or every header forged)");
            }
        });
        return lines;
    }

    static void printDeviceTable(PrintWriter out, List<ClipResult> results, List<ChainFinding> chainFindings) {
        Map<String, long[]> perDevice = new TreeMap<>();
        Map<String, String> verdicts = new TreeMap<>();
        for (ClipResult r : results) {
            long[] row = perDevice.computeIfAbsent(r.deviceId(), k -> new long[3]);
            row[0]++;
            row[1] += r.verifiedFrames();
            row[2] += r.sealedBytes();
            verdicts.merge(r.deviceId(), r.verdict(), (a, b) -> SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a);
        }
        for (ChainFinding f : chainFindings) {
            if (f.failure() && perDevice.containsKey(f.deviceId())) {
                verdicts.merge(
                        f.deviceId(), f.kind().word(), (a, b) -> SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a);
            }
        }
        out.printf("%-20s %6s %8s %12s  %s%n", "device", "clips", "frames", "bytes", "verdict");
        for (Map.Entry<String, long[]> e : perDevice.entrySet()) {
            long[] row = e.getValue();
            out.printf(
                    "%-20s %6d %8d %12s  %s%n",
                    e.getKey(), row[0], row[1], Tables.bytes(row[2]), verdicts.get(e.getKey()));
        }
        out.flush();
    }
}
