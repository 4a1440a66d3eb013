package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What retention did to a store (docs/FORMAT.md §6, "Retention: the ledger, tombstones and compaction"):
 * {@code STORE/retention/ledger}, an append-only text file, one line per deleted clip, removed segment and compacted
 * segment, and {@code STORE/retention/requests/}, the owner's signed requests kept byte for byte (tombstones). The
 * uplink never checks a request's signature (it holds no key type): it keeps the bytes for the owner, who does.
 * Every line is appended with one write and made durable before what it announces happens.
 */
public final class RetentionLedger {
    public static final String DIR = "retention";
    public static final String LEDGER_FILE = "ledger";
    public static final String REQUESTS_DIR = "requests";
    static final String FIRST_LINE = "doorbell-retention v1";

    /** Why a clip was deleted: {@code policy} with the operator's limit, or {@code request} with its file name. */
    public record Deletion(String deviceId, long clipId, String reason, String detail, String time) {
        public boolean byRequest() {
            return reason.equals("request");
        }
    }

    /** A closed segment rewritten with only its kept records: its new length, records and CRC32C of the file. */
    public record Compaction(long segment, long length, long records, int crc, String time) {}

    private final Map<String, Map<Long, Deletion>> deleted = new HashMap<>();
    private final List<Deletion> deletions = new ArrayList<>();
    private final Set<Long> removed = new HashSet<>();
    private final Map<Long, List<Compaction>> compactions = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

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
            return parse(Files.readAllBytes(storeDir.resolve(DIR).resolve(LEDGER_FILE)));
        } catch (NoSuchFileException e) {
            return new RetentionLedger();
        }
    }

    /** The ledger these bytes hold, read as {@link #read(Path)} reads the file. */
    public static RetentionLedger parse(byte[] bytes) {
        RetentionLedger ledger = new RetentionLedger();
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n');
        String[] lines = end < 0 ? new String[0] : text.substring(0, end).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String problem = i == 0
                    ? (lines[0].equals(FIRST_LINE) ? null : "its first line is not '" + FIRST_LINE + "'")
                    : ledger.apply(lines[i].split(" ", -1));
            if (problem != null) {
                ledger.problems.add("retention ledger line " + (i + 1) + ": " + problem + "; ignored");
            }
        }
        return ledger;
    }

    private String apply(String[] f) {
        try {
            switch (f[0]) {
                case "delete" -> {
                    if (f.length != 6 || !(f[3].equals("policy") || f[3].equals("request"))) {
                        return "a delete line is 'delete DEVICE CLIP policy|request DETAIL TIME'";
                    }
                    addDeletion(new Deletion(f[1], Long.parseUnsignedLong(f[2]), f[3], f[4], f[5]));
                }
                case "removed" -> {
                    if (f.length != 3) {
                        return "a removed line is 'removed SEGMENT TIME'";
                    }
                    removed.add(Long.parseLong(f[1]));
                }
                case "compacted" -> {
                    if (f.length != 6) {
                        return "a compacted line is 'compacted SEGMENT LENGTH RECORDS CRC32C TIME'";
                    }
                    long segment = Long.parseLong(f[1]);
                    compactions
                            .computeIfAbsent(segment, k -> new ArrayList<>())
                            .add(new Compaction(
                                    segment,
                                    Long.parseLong(f[2]),
                                    Long.parseLong(f[3]),
                                    Integer.parseUnsignedInt(f[4], 16),
                                    f[5]));
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

    private void addDeletion(Deletion deletion) {
        deletions.add(deletion);
        deleted.computeIfAbsent(deletion.deviceId(), d -> new HashMap<>()).putIfAbsent(deletion.clipId(), deletion);
    }

    /** The first deletion of this clip, or null when it was never deleted. */
    public Deletion deletion(String deviceId, long clipId) {
        Map<Long, Deletion> device = deleted.get(deviceId);
        return device == null ? null : device.get(clipId);
    }

    public List<Deletion> deletions() {
        return List.copyOf(deletions);
    }

    boolean removed(long segment) {
        return removed.contains(segment);
    }

    public Set<Long> removedSegments() {
        return Set.copyOf(removed);
    }

    /** The segments compacted at least once. */
    public Set<Long> compactedSegments() {
        return Set.copyOf(compactions.keySet());
    }

    public List<Compaction> compactions(long segment) {
        return compactions.getOrDefault(segment, List.of());
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    int deletedClips() {
        return deletions.size();
    }

    /** The ledger line for a deleted clip (no newline). */
    static String deleteLine(String deviceId, long clipId, String reason, String detail, Instant at) {
        return "delete " + deviceId + " " + Long.toUnsignedString(clipId) + " " + reason + " " + detail + " "
                + time(at);
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
     * its folder are made and the store's directory fsync'd), and records them in this ledger.
     */
    void append(Path storeDir, List<String> lines, DiskOps ops) throws IOException {
        if (lines.isEmpty()) {
            return;
        }
        Path folder = storeDir.resolve(DIR);
        Path file = folder.resolve(LEDGER_FILE);
        boolean made = !Files.exists(file);
        if (made) {
            StoreFiles.createDirectory(folder);
            ops.forceDirectory(storeDir);
        }
        StringBuilder text = new StringBuilder(made ? FIRST_LINE + "\n" : "");
        lines.forEach(line -> text.append(line).append('\n'));
        try (FileChannel channel = StoreFiles.open(
                file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND))) {
            ops.write(channel, new ByteBuffer[] {ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII))});
            ops.force(channel);
        }
        if (made) {
            ops.forceDirectory(folder);
        }
        for (String line : lines) {
            apply(line.split(" ", -1));
        }
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
