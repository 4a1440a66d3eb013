package dev.doorbell.uplink.store;

import dev.doorbell.proto.v1.StoredRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What retention did to a store (docs/FORMAT.md §6, "Retention: the ledger, tombstones and compaction"):
 * {@code STORE/retention/ledger}, a text file appended one entry a line (deleted clips, removed and compacted
 * segments) and rewritten shorter once in a while ({@link #compact}), and {@code STORE/retention/requests/}, the
 * owner's signed requests kept byte for byte (tombstones). The uplink never checks a request's signature (it holds no
 * key type): it keeps the bytes for the owner, who does. Every line is appended with one write and made durable
 * before what it announces happens; a rewrite is a whole new file renamed into place, and says nothing the old one
 * did not.
 */
public final class RetentionLedger {
    public static final String DIR = "retention";
    public static final String LEDGER_FILE = "ledger";
    public static final String REQUESTS_DIR = "requests";
    static final String FIRST_LINE_V1 = "doorbell-retention v1";
    static final String FIRST_LINE = "doorbell-retention v2";
    static final String TEMP_FILE = LEDGER_FILE + ".tmp";
    /** A ledger rewritten after a sweep only past this size, and past twice its size after the last rewrite. */
    static final long REWRITE_MIN_BYTES = 64 * 1024;

    /** Why a clip was deleted: {@code policy} with the operator's limit, or {@code request} with its file name. */
    public record Deletion(String deviceId, long clipId, String reason, String detail, String time) {
        public boolean byRequest() {
            return reason.equals("request");
        }
    }

    /** A closed segment rewritten with only its kept records: its new length, records and CRC32C of the file. */
    public record Compaction(long segment, long length, long records, int crc, String time) {}

    /**
     * A device's clips at chain positions 1 to {@code position} are all deleted; {@code clips} delete lines were
     * folded into it, and the clip at {@code position} was deleted for {@code reason}, {@code detail}, at {@code time}.
     */
    public record Watermark(String deviceId, long position, long clips, String reason, String detail, String time) {}

    /** A delete line: the clip's chain position and its first and last segment when deleted (-1 when not said). */
    private record Entry(int line, Deletion deletion, long position, long firstSegment, long lastSegment) {}

    private record CompactionLine(int line, Compaction compaction) {}

    /** What one rewrite did: lines and bytes before and after, and the new generation. */
    public record Rewrite(long generation, int linesBefore, int linesAfter, long bytesBefore, long bytesAfter) {}

    private int version = 2;
    private long generation;
    private int lines;
    private int removedLines;
    private long bytesAfterRewrite;
    private boolean onDisk;
    private Map<String, Map<Long, Deletion>> deleted = new HashMap<>();
    private List<Entry> entries = new ArrayList<>();
    private Map<String, Watermark> watermarks = new TreeMap<>();
    private TreeMap<Long, String> removed = new TreeMap<>();
    private Map<Long, List<CompactionLine>> compactions = new LinkedHashMap<>();
    private List<String> problems = new ArrayList<>();
    /** Clips {@link #deletedBy} found under a watermark by their clip_open, for their later records. */
    private final Map<String, Map<Long, Deletion>> foldedSeen = new HashMap<>();

    private RetentionLedger() {}

    static RetentionLedger empty() {
        return new RetentionLedger();
    }

    /**
     * Reads the ledger of the store in {@code storeDir}; no file is an empty ledger. A last line without its newline
     * is an append cut short (never acted on: the uplink acts only after the line is durable) and is ignored; any
     * other line this reader does not know is named in {@link #problems()} and ignored.
     */
    public static RetentionLedger read(Path storeDir) throws IOException {
        try {
            RetentionLedger ledger =
                    parse(Files.readAllBytes(storeDir.resolve(DIR).resolve(LEDGER_FILE)));
            ledger.onDisk = true;
            return ledger;
        } catch (NoSuchFileException e) {
            return new RetentionLedger();
        }
    }

    /** The ledger these bytes hold, read as {@link #read(Path)} reads the file. */
    public static RetentionLedger parse(byte[] bytes) {
        RetentionLedger ledger = new RetentionLedger();
        ledger.bytesAfterRewrite = bytes.length;
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n');
        String[] lines = end < 0 ? new String[0] : text.substring(0, end).split("\n", -1);
        if (lines.length > 0 && lines[0].equals(FIRST_LINE_V1)) {
            ledger.version = 1;
        } else if (lines.length > 0 && !lines[0].equals(FIRST_LINE)) {
            ledger.version = 0;
            ledger.problems.add("retention ledger line 1: its first line is neither '" + FIRST_LINE_V1 + "' nor '"
                    + FIRST_LINE + "'; the whole ledger is ignored");
            return ledger;
        }
        for (int i = 1; i < lines.length; i++) {
            String problem = ledger.version == 2 && i == 1
                    ? ledger.generation(lines[1].split(" ", -1))
                    : ledger.apply(i + 1, lines[i].split(" ", -1));
            if (problem != null) {
                ledger.problems.add("retention ledger line " + (i + 1) + ": " + problem + "; ignored");
            }
        }
        ledger.lines = lines.length;
        return ledger;
    }

    private String generation(String[] f) {
        if (f.length != 3 || !f[0].equals("generation")) {
            return "the second line of a v2 ledger is 'generation N TIME'";
        }
        try {
            generation = Long.parseLong(f[1]);
        } catch (NumberFormatException e) {
            return "a number does not parse (" + printable(e.getMessage()) + ")";
        }
        return null;
    }

    private String apply(int line, String[] f) {
        try {
            switch (f[0]) {
                case "delete" -> {
                    boolean placed = version == 2 && f.length == 9;
                    if (!(f.length == 6 || placed) || !reason(f[3])) {
                        return version == 2
                                ? "a delete line is 'delete DEVICE CLIP policy|request DETAIL TIME"
                                        + " [POSITION FIRST-SEGMENT LAST-SEGMENT]'"
                                : "a delete line is 'delete DEVICE CLIP policy|request DETAIL TIME'";
                    }
                    Deletion deletion = new Deletion(f[1], Long.parseUnsignedLong(f[2]), f[3], f[4], f[5]);
                    entries.add(new Entry(
                            line,
                            deletion,
                            placed ? Long.parseLong(f[6]) : -1,
                            placed ? Long.parseLong(f[7]) : -1,
                            placed ? Long.parseLong(f[8]) : -1));
                    deleted.computeIfAbsent(deletion.deviceId(), d -> new HashMap<>())
                            .putIfAbsent(deletion.clipId(), deletion);
                }
                case "deleted-through" -> {
                    if (version != 2 || f.length != 7 || !reason(f[4])) {
                        return "a deleted-through line (v2 only) is 'deleted-through DEVICE POSITION CLIPS"
                                + " policy|request DETAIL TIME'";
                    }
                    Watermark w = new Watermark(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), f[4], f[5], f[6]);
                    Watermark before = watermarks.get(w.deviceId());
                    if (before == null || w.position() > before.position()) {
                        watermarks.put(w.deviceId(), w);
                    }
                }
                case "removed" -> {
                    if (f.length != 3) {
                        return "a removed line is 'removed SEGMENT TIME' (v2 also 'removed FIRST..LAST TIME')";
                    }
                    int dots = f[1].indexOf("..");
                    if (dots >= 0 && version != 2) {
                        return "a range of removed segments is v2 only";
                    }
                    long first = Long.parseLong(dots < 0 ? f[1] : f[1].substring(0, dots));
                    long last = dots < 0 ? first : Long.parseLong(f[1].substring(dots + 2));
                    if (last < first || last - first > 1_000_000_000L) {
                        return "a removed range runs from " + first + " down to " + last;
                    }
                    for (long k = first; k <= last; k++) {
                        removed.put(k, f[2]);
                    }
                    removedLines++;
                }
                case "compacted" -> {
                    if (f.length != 6) {
                        return "a compacted line is 'compacted SEGMENT LENGTH RECORDS CRC32C TIME'";
                    }
                    long segment = Long.parseLong(f[1]);
                    compactions
                            .computeIfAbsent(segment, k -> new ArrayList<>())
                            .add(new CompactionLine(
                                    line,
                                    new Compaction(
                                            segment,
                                            Long.parseLong(f[2]),
                                            Long.parseLong(f[3]),
                                            Integer.parseUnsignedInt(f[4], 16),
                                            f[5])));
                }
                default -> {
                    return "unknown entry '" + printable(f[0]) + "'";
                }
            }
        } catch (NumberFormatException e) {
            return "a number does not parse (" + printable(e.getMessage()) + ")";
        }
        return null;
    }

    private static boolean reason(String s) {
        return s.equals("policy") || s.equals("request");
    }

    /** The first deletion of this clip by its delete line, or null (a clip folded into a watermark included). */
    public Deletion deletion(String deviceId, long clipId) {
        Map<Long, Deletion> device = deleted.get(deviceId);
        return device == null ? null : device.get(clipId);
    }

    /**
     * The first deletion of this clip, by its delete line or, for a clip at chain {@code position} (0: not known) at or
     * below its device's watermark, by the watermark; null when it was never deleted.
     */
    public Deletion deletion(String deviceId, long clipId, long position) {
        Deletion d = deletion(deviceId, clipId);
        if (d != null || position <= 0) {
            return d;
        }
        Watermark w = watermarks.get(deviceId);
        return w == null || position > w.position()
                ? null
                : new Deletion(deviceId, clipId, w.reason(), w.detail(), w.time());
    }

    /**
     * The deletion of the clip {@code record} belongs to, as a reader of segments asks it, in log order: by the clip's
     * delete line, or by its device's watermark for a clip whose {@code clip_open} (read earlier: it comes first) has
     * a chain position at or below it. A local store holds no record of a clip folded into a watermark; a bucket whose
     * objects lag behind its ledger may (docs/FORMAT.md §6, "Shipped to S3"), and so may a copy of one.
     */
    Deletion deletedBy(StoredRecord record) {
        String device = Retention.deviceOf(record);
        long clip = Retention.clipOf(record);
        Deletion d = record.hasSegmentStart() ? null : deletion(device, clip);
        if (d != null || record.hasSegmentStart() || !watermarks.containsKey(device)) {
            return d;
        }
        if (record.hasClipOpen()) {
            d = deletion(
                    device,
                    clip,
                    Retention.position(record.getClipOpen().getHeader().toByteArray()));
            if (d != null) {
                foldedSeen.computeIfAbsent(device, k -> new HashMap<>()).put(clip, d);
            }
            return d;
        }
        Map<Long, Deletion> seen = foldedSeen.get(device);
        return seen == null ? null : seen.get(clip);
    }

    /** The delete lines, in ledger order (clips folded into a watermark are not among them). */
    public List<Deletion> deletions() {
        return entries.stream().map(Entry::deletion).toList();
    }

    public Map<String, Watermark> watermarks() {
        return Map.copyOf(watermarks);
    }

    /** Deleted clips per device: delete lines and the lines each watermark stands for. */
    public Map<String, Long> deletedPerDevice() {
        Map<String, Long> counts = new TreeMap<>();
        entries.forEach(e -> counts.merge(e.deletion().deviceId(), 1L, Long::sum));
        watermarks.values().forEach(w -> counts.merge(w.deviceId(), w.clips(), Long::sum));
        return counts;
    }

    boolean removed(long segment) {
        return removed.containsKey(segment);
    }

    public Set<Long> removedSegments() {
        return Set.copyOf(removed.keySet());
    }

    /** The segments compacted at least once. */
    public Set<Long> compactedSegments() {
        return Set.copyOf(compactions.keySet());
    }

    public List<Compaction> compactions(long segment) {
        return compactions.getOrDefault(segment, List.of()).stream()
                .map(CompactionLine::compaction)
                .toList();
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** 1 or 2 (0: a first line this reader does not know). */
    public int version() {
        return version;
    }

    /** How many times the ledger was rewritten (0 for v1, and for a v2 ledger never rewritten). */
    public long generation() {
        return generation;
    }

    /** Lines, the first ones included. */
    public int lines() {
        return lines;
    }

    long deletedClips() {
        return entries.size()
                + watermarks.values().stream().mapToLong(Watermark::clips).sum();
    }

    /**
     * The ledger line for a deleted clip (no newline): its chain position (0 when its header has none) and the first
     * and last segment holding a record of it when deleted.
     */
    static String deleteLine(
            String deviceId,
            long clipId,
            String reason,
            String detail,
            Instant at,
            long position,
            long firstSegment,
            long lastSegment) {
        return "delete " + deviceId + " " + Long.toUnsignedString(clipId) + " " + reason + " " + detail + " " + time(at)
                + " " + position + " " + firstSegment + " " + lastSegment;
    }

    static String removedLine(long segment, Instant at) {
        return "removed " + segment + " " + time(at);
    }

    static String compactedLine(long segment, long length, long records, int crc, Instant at) {
        return "compacted " + segment + " " + length + " " + records + " " + String.format("%08x", crc) + " "
                + time(at);
    }

    private static String time(Instant at) {
        return at.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /**
     * Appends {@code lines} to the ledger in one write and makes them durable (fdatasync; the first time, the file and
     * its folder are made and the store's directory fsync'd), and records them in this ledger. A v1 ledger is first
     * rewritten as v2 ({@link #compact}), so that the new lines may carry chain positions.
     */
    void append(Path storeDir, List<String> newLines, DiskOps ops, Clock clock) throws IOException {
        if (newLines.isEmpty()) {
            return;
        }
        if (version == 1 && onDisk) {
            compact(storeDir, Map.of(), ops, clock, Compactor.Steps.NONE, true);
        }
        Path folder = storeDir.resolve(DIR);
        Path file = folder.resolve(LEDGER_FILE);
        boolean made = !Files.exists(file);
        if (made) {
            StoreFiles.createDirectory(folder);
            ops.forceDirectory(storeDir);
            version = 2;
            generation = 0;
            lines = 2;
        }
        StringBuilder text =
                new StringBuilder(made ? FIRST_LINE + "\ngeneration 0 " + time(clock.instant()) + "\n" : "");
        newLines.forEach(line -> text.append(line).append('\n'));
        try (FileChannel channel = StoreFiles.open(
                file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND))) {
            ops.write(channel, new ByteBuffer[] {ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII))});
            ops.force(channel);
        }
        if (made) {
            ops.forceDirectory(folder);
            onDisk = true;
        }
        for (String line : newLines) {
            lines++;
            apply(lines, line.split(" ", -1));
        }
    }

    /** Whether a sweep should rewrite the ledger now: past the minimum size and twice its size after the last one. */
    boolean grownPastRewrite(Path storeDir) throws IOException {
        try {
            long size = Files.size(storeDir.resolve(DIR).resolve(LEDGER_FILE));
            return size >= REWRITE_MIN_BYTES && size >= 2 * bytesAfterRewrite;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Rewrites the ledger shorter (docs/FORMAT.md §6, "The ledger's rewrite"): per device, the delete lines of clips
     * with a chain position whose records are all gone from the store (each segment that held one removed, or
     * compacted by a line after the delete line and the file that compaction made in place) and which lie below every
     * clip the store keeps ({@code lowestKept}: per device, the lowest chain position of a clip it holds and did not
     * delete) fold into one {@code deleted-through} line; removed segments become ranges; a compacted segment keeps
     * only the line its file matches, a removed one none. Temporary file, fsync, rename, directory fsync: a stop at
     * any step leaves the old ledger or the new one, which say the same. Returns null when there is nothing to drop
     * (and {@code force} is false: a v1 ledger is rewritten as v2 all the same).
     */
    Rewrite compact(
            Path storeDir, Map<String, Long> lowestKept, DiskOps ops, Clock clock, Compactor.Steps steps, boolean force)
            throws IOException {
        if (version == 0 || !onDisk) {
            return null;
        }
        Path segmentsDir = storeDir.resolve(SegmentFormat.SEGMENTS_DIR);
        Map<Long, CompactionLine> inPlace = new HashMap<>();
        for (Map.Entry<Long, List<CompactionLine>> e : compactions.entrySet()) {
            long k = e.getKey();
            if (removed.containsKey(k)) {
                continue;
            }
            CompactionLine matching = matching(segmentsDir.resolve(SegmentFormat.segmentName(k)), e.getValue());
            if (matching != null) {
                inPlace.put(k, matching);
            }
        }
        Map<String, Watermark> marks = new TreeMap<>(watermarks);
        Map<String, List<Entry>> folding = new HashMap<>();
        for (Entry e : entries) {
            String device = e.deletion().deviceId();
            if (e.position() > 0
                    && e.position() < lowestKept.getOrDefault(device, Long.MAX_VALUE)
                    && gone(e, inPlace)) {
                folding.computeIfAbsent(device, d -> new ArrayList<>()).add(e);
            }
        }
        Set<Entry> folded = new HashSet<>();
        folding.forEach((device, list) -> {
            Watermark w = marks.get(device);
            long clips = w == null ? 0 : w.clips();
            Entry top = null;
            for (Entry e : list) {
                // The first delete line of a clip counts: the watermark says what the top clip's first line said.
                boolean first = deletion(device, e.deletion().clipId()) == e.deletion();
                if (first && (top == null || e.position() > top.position())) {
                    top = e;
                }
            }
            long position = Math.max(w == null ? 0 : w.position(), top == null ? 0 : top.position());
            for (Entry e : list) {
                if (e.position() <= position) {
                    folded.add(e);
                    clips++;
                }
            }
            if (top != null && (w == null || top.position() > w.position())) {
                Deletion d = top.deletion();
                marks.put(device, new Watermark(device, top.position(), clips, d.reason(), d.detail(), d.time()));
            } else if (w != null) {
                marks.put(device, new Watermark(device, w.position(), clips, w.reason(), w.detail(), w.time()));
            }
        });
        int keptCompactions = inPlace.size();
        int droppedCompactions =
                compactions.values().stream().mapToInt(List::size).sum() - keptCompactions;
        boolean rangesShorter = removedLines > ranges().size();
        if (!force && version == 2 && folded.isEmpty() && droppedCompactions == 0 && !rangesShorter) {
            return null;
        }
        Instant now = clock.instant();
        StringBuilder text = new StringBuilder(FIRST_LINE + "\n");
        text.append("generation ")
                .append(generation + 1)
                .append(' ')
                .append(time(now))
                .append('\n');
        for (long[] range : ranges()) {
            text.append("removed ")
                    .append(range[0] == range[1] ? Long.toString(range[0]) : range[0] + ".." + range[1])
                    .append(' ')
                    .append(removed.get(range[1]))
                    .append('\n');
        }
        for (Watermark w : marks.values()) {
            text.append("deleted-through ")
                    .append(w.deviceId())
                    .append(' ')
                    .append(w.position())
                    .append(' ')
                    .append(w.clips())
                    .append(' ')
                    .append(w.reason())
                    .append(' ')
                    .append(w.detail())
                    .append(' ')
                    .append(w.time())
                    .append('\n');
        }
        TreeMap<Integer, String> ordered = new TreeMap<>();
        for (Entry e : entries) {
            if (!folded.contains(e)) {
                ordered.put(e.line(), entryLine(e));
            }
        }
        for (CompactionLine c : inPlace.values()) {
            Compaction x = c.compaction();
            ordered.put(
                    c.line(),
                    "compacted " + x.segment() + " " + x.length() + " " + x.records() + " "
                            + String.format("%08x", x.crc()) + " " + x.time());
        }
        ordered.values().forEach(line -> text.append(line).append('\n'));
        byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
        Path folder = storeDir.resolve(DIR);
        Path file = folder.resolve(LEDGER_FILE);
        long bytesBefore = Files.size(file);
        Path temp = folder.resolve(TEMP_FILE);
        Files.deleteIfExists(temp);
        try (FileChannel channel =
                StoreFiles.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ops.write(channel, new ByteBuffer[] {ByteBuffer.wrap(bytes)});
            steps.reached("temporary ledger written");
            ops.force(channel);
        }
        steps.reached("temporary ledger durable");
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        steps.reached("ledger renamed");
        ops.forceDirectory(folder);
        int linesBefore = lines;
        RetentionLedger fresh = parse(bytes);
        version = fresh.version;
        generation = fresh.generation;
        lines = fresh.lines;
        bytesAfterRewrite = bytes.length;
        deleted = fresh.deleted;
        entries = fresh.entries;
        watermarks = fresh.watermarks;
        removed = fresh.removed;
        removedLines = fresh.removedLines;
        compactions = fresh.compactions;
        problems = fresh.problems;
        return new Rewrite(generation, linesBefore, lines, bytesBefore, bytes.length);
    }

    /**
     * Why this ledger does not supersede {@code older}, or null when it does: {@code older} is a valid ledger, of no
     * later generation, and every deletion and removal it states this one states too (a clip it names with a chain
     * position counts when this ledger's watermark covers that position). So a ledger rewritten shorter supersedes what
     * it was rewritten from, and a foreign store's ledger, which names clips this one never deleted, does not.
     */
    public String supersedes(RetentionLedger older) {
        if (older.version == 0) {
            return "its first line is neither '" + FIRST_LINE_V1 + "' nor '" + FIRST_LINE + "'";
        }
        if (older.generation > generation) {
            return "its generation " + older.generation + " is later than " + generation;
        }
        for (long k : older.removed.keySet()) {
            if (!removed.containsKey(k)) {
                return "it says segment " + k + " was removed";
            }
        }
        for (Entry e : older.entries) {
            Deletion d = e.deletion();
            if (deletion(d.deviceId(), d.clipId(), e.position()) == null) {
                return "it says clip " + Long.toUnsignedString(d.clipId()) + " of device " + d.deviceId()
                        + " was deleted";
            }
        }
        for (Watermark w : older.watermarks.values()) {
            Watermark mine = watermarks.get(w.deviceId());
            if (mine == null || mine.position() < w.position()) {
                return "it says the clips of device " + w.deviceId() + " up to position " + w.position()
                        + " were deleted";
            }
        }
        return null;
    }

    /**
     * {@code newer}'s lines, then the delete and compacted lines of {@code older} that {@code newer} lacks: a ledger
     * that explains the objects of both (a bucket's objects while a rewritten ledger replaces the one they were
     * shipped under). Lines without their newline are left out.
     */
    public static byte[] merge(byte[] newer, byte[] older) {
        StringBuilder text = new StringBuilder();
        Set<String> have = new HashSet<>();
        for (String line : completeLines(newer)) {
            have.add(line);
            text.append(line).append('\n');
        }
        List<String> old = completeLines(older);
        for (String line : old.subList(Math.min(1, old.size()), old.size())) {
            if ((line.startsWith("delete ") || line.startsWith("compacted ")) && have.add(line)) {
                text.append(line).append('\n');
            }
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static List<String> completeLines(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
    }

    /** Removes a temporary ledger a stop left behind (never read: the ledger is the renamed file alone). */
    static void removeTemporary(Path storeDir) throws IOException {
        Files.deleteIfExists(storeDir.resolve(DIR).resolve(TEMP_FILE));
    }

    private List<long[]> ranges() {
        List<long[]> ranges = new ArrayList<>();
        for (long k : removed.keySet()) {
            long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && last[1] + 1 == k) {
                last[1] = k;
            } else {
                ranges.add(new long[] {k, k});
            }
        }
        return ranges;
    }

    /** Every segment that held a record of the clip is removed, or compacted in place by a line after its delete line. */
    private boolean gone(Entry e, Map<Long, CompactionLine> inPlace) {
        if (e.firstSegment() <= 0 || e.lastSegment() < e.firstSegment()) {
            return false;
        }
        for (long k = e.firstSegment(); k <= e.lastSegment(); k++) {
            CompactionLine c = inPlace.get(k);
            if (!removed.containsKey(k) && (c == null || c.line() < e.line())) {
                return false;
            }
        }
        return true;
    }

    /** The compaction line whose length and CRC32C are those of the file as it is; null when none (or no file). */
    private static CompactionLine matching(Path file, List<CompactionLine> lines) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        Integer crc = null;
        CompactionLine found = null;
        for (CompactionLine c : lines) {
            if (c.compaction().length() == size) {
                crc = crc == null ? Compactor.fileCrc(file) : crc;
                if (c.compaction().crc() == crc) {
                    found = c;
                }
            }
        }
        return found;
    }

    private static String entryLine(Entry e) {
        Deletion d = e.deletion();
        String line = "delete " + d.deviceId() + " " + Long.toUnsignedString(d.clipId()) + " " + d.reason() + " "
                + d.detail() + " " + d.time();
        return e.firstSegment() < 0 ? line : line + " " + e.position() + " " + e.firstSegment() + " " + e.lastSegment();
    }

    /**
     * Keeps an owner's request byte for byte as {@code retention/requests/NNNNNNNNNN.req} (the next free number;
     * temporary file, fsync, rename, directory fsync) and returns its file name, which delete lines cite.
     */
    static String keepRequest(Path storeDir, byte[] request, DiskOps ops) throws IOException {
        Path folder = storeDir.resolve(DIR).resolve(REQUESTS_DIR);
        if (!Files.isDirectory(folder)) {
            StoreFiles.createDirectory(storeDir.resolve(DIR));
            StoreFiles.createDirectory(folder);
            ops.forceDirectory(storeDir.resolve(DIR));
        }
        long next = 1;
        try (var entries = Files.list(folder)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (name.matches("[0-9]{10}\\.req")) {
                    if (java.util.Arrays.equals(Files.readAllBytes(entry), request)) {
                        return name; // the same request applied again (a stop before its inbox file was removed)
                    }
                    next = Math.max(next, Long.parseLong(name.substring(0, 10)) + 1);
                }
            }
        }
        String name = String.format("%010d.req", next);
        Path temp = folder.resolve(name + ".tmp");
        Files.deleteIfExists(temp);
        try (FileChannel channel =
                StoreFiles.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ops.write(channel, new ByteBuffer[] {ByteBuffer.wrap(request)});
            ops.force(channel);
        }
        Files.move(temp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        ops.forceDirectory(folder);
        return name;
    }

    private static String printable(String s) {
        String p = s == null ? "" : s.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 40 ? p.substring(0, 40) + "..." : p;
    }
}
