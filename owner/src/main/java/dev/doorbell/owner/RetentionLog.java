package dev.doorbell.owner;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.StoredRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * What the uplink's retention did to a store, read from {@code STORE/retention/} as docs/FORMAT.md §6 ("Retention:
 * the ledger, tombstones and compaction") says, written from the format document alone: the clips it deleted and
 * why, the segments it removed or compacted, and the owner's requests it keeps. Every word of it is the uplink's
 * claim: a deletion "by request" counts as the owner's only when the request it cites verifies under the owner's key
 * and covers the clip ({@code ForgetRequests}); a policy deletion is the operator's statement.
 */
public final class RetentionLog {
    /** One deleted clip: {@code reason} "policy" (detail: the limit) or "request" (detail: the request's file name). */
    public record Deletion(String deviceId, long clipId, String reason, String detail, String time) {}

    record Compaction(long segment, long length, long records, int crc, String time) {}

    /** Every clip of a device at chain positions 1 to {@code position} is deleted (v2, "deleted-through"). */
    record Watermark(String deviceId, long position, long clips, String reason, String detail, String time) {}

    private final Path dir;
    private final Map<String, Map<Long, Deletion>> deleted = new HashMap<>();
    private final List<Deletion> deletions = new ArrayList<>();
    /** Removed segments: first of a range to its last. */
    private final TreeMap<Long, Long> removed = new TreeMap<>();

    private final Map<String, Watermark> watermarks = new HashMap<>();
    private int version = 1;
    private final Map<String, Set<Long>> foldedSeen = new HashMap<>();
    private final Map<Long, List<Compaction>> compactions = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private RetentionLog(Path dir) {
        this.dir = dir;
    }

    /** The retention of the store in {@code storeDir}; a store without {@code retention/ledger} has none. */
    public static RetentionLog read(Path storeDir) throws IOException {
        RetentionLog log = new RetentionLog(storeDir);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(storeDir.resolve("retention").resolve("ledger"));
        } catch (NoSuchFileException e) {
            return log;
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return log;
        }
        String[] lines = text.substring(0, end).split("\n", -1);
        if (lines[0].equals("doorbell-retention v2")) {
            log.version = 2;
        } else if (!lines[0].equals("doorbell-retention v1")) {
            log.warnings.add("retention ledger of " + storeDir + ": unknown first line; the ledger is ignored");
            return log;
        }
        for (int i = 1; i < lines.length; i++) {
            boolean known = log.version == 2 && i == 1
                    ? lines[1].matches("generation [0-9]{1,18} \\S+")
                    : log.apply(lines[i].split(" ", -1));
            if (!known) {
                log.warnings.add("retention ledger of " + storeDir + " line " + (i + 1) + " does not parse; ignored");
            }
        }
        return log;
    }

    private boolean apply(String[] f) {
        try {
            switch (f[0]) {
                case "delete" -> {
                    if (!(f.length == 6 || (version == 2 && f.length == 9)) || !reason(f[3])) {
                        return false;
                    }
                    Deletion d = new Deletion(f[1], Long.parseUnsignedLong(f[2]), f[3], f[4], f[5]);
                    if (f.length == 9) {
                        Long.parseLong(f[6]);
                        Long.parseLong(f[7]);
                        Long.parseLong(f[8]);
                    }
                    deletions.add(d);
                    deleted.computeIfAbsent(d.deviceId(), k -> new HashMap<>()).putIfAbsent(d.clipId(), d);
                }
                case "deleted-through" -> {
                    if (version != 2 || f.length != 7 || !reason(f[4])) {
                        return false;
                    }
                    Watermark w = new Watermark(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), f[4], f[5], f[6]);
                    Watermark before = watermarks.get(w.deviceId());
                    if (before == null || w.position() > before.position()) {
                        watermarks.put(w.deviceId(), w);
                    }
                }
                case "removed" -> {
                    if (f.length != 3) {
                        return false;
                    }
                    int dots = f[1].indexOf("..");
                    if (dots >= 0 && version != 2) {
                        return false;
                    }
                    long first = Long.parseLong(dots < 0 ? f[1] : f[1].substring(0, dots));
                    long last = dots < 0 ? first : Long.parseLong(f[1].substring(dots + 2));
                    if (last < first || last - first > 1_000_000_000L) {
                        return false;
                    }
                    removed.merge(first, last, Math::max);
                }
                case "compacted" -> {
                    if (f.length != 6) {
                        return false;
                    }
                    long k = Long.parseLong(f[1]);
                    compactions
                            .computeIfAbsent(k, x -> new ArrayList<>())
                            .add(new Compaction(
                                    k,
                                    Long.parseLong(f[2]),
                                    Long.parseLong(f[3]),
                                    Integer.parseUnsignedInt(f[4], 16),
                                    f[5]));
                }
                default -> {
                    return false;
                }
            }
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean reason(String s) {
        return s.equals("policy") || s.equals("request");
    }

    /** The clip's first delete line, or null (a clip that only a watermark covers included). */
    public Deletion deletion(String deviceId, long clipId) {
        Map<Long, Deletion> device = deleted.get(deviceId);
        return device == null ? null : device.get(clipId);
    }

    /**
     * The clip's deletion: its first delete line or, for a chain {@code position} (0: not known) at or below the
     * device's {@code deleted-through} watermark, that line (reason, detail and time of the clip at its position).
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
     * Whether the record belongs to a deleted clip, asked in log order: by the clip's delete line, or by its device's
     * watermark for a clip whose {@code clip_open} (read earlier: it comes first) has a chain position at or below it
     * (records a bucket lagging behind its ledger may still hold; docs/FORMAT.md §6).
     */
    public boolean deletedRecord(StoredRecord r) {
        String device;
        long clip;
        switch (r.getBodyCase()) {
            case CLIP_OPEN -> {
                device = r.getClipOpen().getDeviceId();
                clip = r.getClipOpen().getClipId();
            }
            case FRAME -> {
                device = r.getFrame().getDeviceId();
                clip = r.getFrame().getClipId();
            }
            case CLIP_CLOSE -> {
                device = r.getClipClose().getDeviceId();
                clip = r.getClipClose().getClipId();
            }
            default -> {
                return false;
            }
        }
        if (deletion(device, clip) != null) {
            return true;
        }
        if (!watermarks.containsKey(device)) {
            return false;
        }
        if (r.hasClipOpen()) {
            boolean deleted = deletion(device, clip, position(r.getClipOpen().getHeader())) != null;
            if (deleted) {
                foldedSeen.computeIfAbsent(device, k -> new HashSet<>()).add(clip);
            }
            return deleted;
        }
        return foldedSeen.getOrDefault(device, Set.of()).contains(clip);
    }

    /** The public chain position of a v3 header; 0 for other headers (v1, v2, or bytes that do not parse). */
    private static long position(ByteString header) {
        try {
            return ClipHeader.parseFrom(SignedClipHeader.parseFrom(header).getHeader())
                    .getChain()
                    .getPosition();
        } catch (InvalidProtocolBufferException e) {
            return 0;
        }
    }

    public List<Deletion> deletions() {
        return List.copyOf(deletions);
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    boolean removed(long segment) {
        Map.Entry<Long, Long> range = removed.floorEntry(segment);
        return range != null && segment <= range.getValue();
    }

    /**
     * The committed length of a compacted segment whose file is the compacted one (its size and CRC32C match a
     * "compacted" line), or null: no line, or the file is the original (a stop before the rename).
     */
    SegmentScan.Committed compacted(long segment, Path file) throws IOException {
        List<Compaction> lines = compactions.get(segment);
        if (lines == null) {
            return null;
        }
        long size = Files.size(file);
        Integer crc = null;
        for (Compaction c : lines) {
            if (c.length() != size) {
                continue;
            }
            crc = crc == null ? crc(file) : crc;
            if (c.crc() == crc) {
                return new SegmentScan.Committed(c.length(), c.records(), "the retention ledger (compacted)");
            }
        }
        return null;
    }

    /** The bytes of a request the uplink kept, by the file name a delete line cites; null when absent or odd. */
    public byte[] request(String fileName) throws IOException {
        if (!fileName.matches("[0-9]{10}\\.req")) {
            return null;
        }
        try {
            return Files.readAllBytes(
                    dir.resolve("retention").resolve("requests").resolve(fileName));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static int crc(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                crc.update(buffer);
                buffer.clear();
            }
        }
        return (int) crc.getValue();
    }
}
