package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code scripts/uplink store list} prints: per device its clips, frames, bytes, first and last arrival (the
 * store's own {@code received_unix_ms}, never anything sealed) and how many clips are closed, open or damaged; the
 * totals; the segments with their sizes; what retention deleted. It only reads: a live store up to its checkpoint,
 * without its lock, as the owner's readers do, read again while retention changed the store under it.
 */
public final class StoreListing {
    /** One device's clips. {@code open} clips have no final frame or close stored (truncated, unless resumed). */
    public record Device(
            String deviceId,
            int clips,
            int closed,
            int open,
            int damaged,
            long frames,
            long bytes,
            long firstArrivalMs,
            long lastArrivalMs,
            int deleted) {}

    /** A segment: its file size and valid records, and what retention did to it ("" when nothing). */
    public record Segment(long number, long bytes, long records, String retention) {
        public String name() {
            return SegmentFormat.segmentName(number);
        }
    }

    public record Listing(
            Path dir,
            int version,
            long livePid,
            String readUpTo,
            List<Device> devices,
            List<Segment> segments,
            int deletedClips,
            long deletedRecordsLeft,
            List<StoreFinding> findings) {
        public long clips() {
            return devices.stream().mapToLong(Device::clips).sum();
        }

        public long frames() {
            return devices.stream().mapToLong(Device::frames).sum();
        }

        public long bytes() {
            return devices.stream().mapToLong(Device::bytes).sum();
        }

        public long segmentBytes() {
            return segments.stream().mapToLong(Segment::bytes).sum();
        }
    }

    private static final class Tally {
        long frames;
        long bytes;
        long first = Long.MAX_VALUE;
        long last;
    }

    private static final int ATTEMPTS = 5;

    private StoreListing() {}

    /** Lists the store in {@code dir}; changes nothing and takes no lock. */
    public static Listing list(Path dir) throws IOException {
        if (!Files.isRegularFile(dir.resolve(SegmentFormat.MARKER_FILE))) {
            throw new IOException(dir + " is not a doorbell store: it has no " + SegmentFormat.MARKER_FILE + " marker");
        }
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String ledgerBefore = ledgerStamp(dir);
            try {
                Listing listing = listOnce(dir);
                if (ledgerStamp(dir).equals(ledgerBefore)) {
                    return listing;
                }
            } catch (NoSuchFileException e) {
                // A segment removed by retention between the listing of segments/ and its reading: read again.
                last = e;
            }
        }
        throw new IOException(
                "store " + dir + " kept changing under retention while it was read (" + ATTEMPTS + " attempts)", last);
    }

    private static Listing listOnce(Path dir) throws IOException {
        int version = StoreScan.version(dir);
        long live = StoreLock.holder(dir).orElse(-1L);
        // Closed clips take compact form at once: the listing needs no header bytes, however many clips the store
        // holds.
        ClipIndex index = new ClipIndex(0);
        Map<String, Map<Long, Tally>> tallies = new TreeMap<>();
        StoreScan scan = StoreScan.run(dir, version, live, index, (segment, offset, length, record) -> {
            Tally t = tallies.computeIfAbsent(Retention.deviceOf(record), d -> new TreeMap<>())
                    .computeIfAbsent(Retention.clipOf(record), c -> new Tally());
            t.bytes += length;
            t.frames += record.hasFrame() ? 1 : 0;
            long at = Retention.arrival(record);
            t.first = Math.min(t.first, at);
            t.last = Math.max(t.last, at);
        });
        Map<String, Integer> deletedByDevice = new TreeMap<>();
        scan.ledger.deletedPerDevice().forEach((device, n) -> deletedByDevice.put(device, Math.toIntExact(n)));
        List<Device> devices = new ArrayList<>();
        for (Map.Entry<String, Map<Long, Tally>> device : tallies.entrySet()) {
            int closed = 0;
            int open = 0;
            int damaged = 0;
            long frames = 0;
            long bytes = 0;
            long first = Long.MAX_VALUE;
            long lastAt = 0;
            for (Map.Entry<Long, Tally> clip : device.getValue().entrySet()) {
                ClipState state = index.get(device.getKey(), clip.getKey());
                ClipStatus status = index.status(device.getKey(), clip.getKey());
                if (state != null && state.damage != null) {
                    damaged++;
                } else if (status != null && (status.closePersisted() || status.lastReceived())) {
                    closed++;
                } else {
                    open++;
                }
                Tally t = clip.getValue();
                frames += t.frames;
                bytes += t.bytes;
                first = Math.min(first, t.first);
                lastAt = Math.max(lastAt, t.last);
            }
            devices.add(new Device(
                    device.getKey(),
                    device.getValue().size(),
                    closed,
                    open,
                    damaged,
                    frames,
                    bytes,
                    first,
                    lastAt,
                    deletedByDevice.getOrDefault(device.getKey(), 0)));
        }
        deletedByDevice.forEach((device, n) -> {
            if (!tallies.containsKey(device)) {
                devices.add(new Device(device, 0, 0, 0, 0, 0, 0, 0, 0, n));
            }
        });
        devices.sort((a, b) -> a.deviceId().compareTo(b.deviceId()));
        List<Segment> segments = new ArrayList<>();
        for (StoreScan.Segment s : scan.segments) {
            String retention = "";
            if (s.expected() != null && s.expected().source().startsWith("the retention ledger")) {
                retention = s.expected()
                        .source()
                        .substring("the retention ledger (".length())
                        .replace(")", "");
            }
            segments.add(new Segment(s.number(), s.result().size(), s.result().records(), retention));
        }
        for (long removed : scan.ledger.removedSegments()) {
            if (scan.segments.stream().noneMatch(s -> s.number() == removed)) {
                segments.add(new Segment(removed, 0, 0, "removed"));
            }
        }
        segments.sort((a, b) -> Long.compare(a.number(), b.number()));
        String upTo = live != -1 && scan.checkpoint != null
                ? "segment " + SegmentFormat.segmentName(scan.checkpoint.segment()) + " offset "
                        + scan.checkpoint.length()
                : null;
        return new Listing(
                dir,
                version,
                live,
                upTo,
                List.copyOf(devices),
                List.copyOf(segments),
                Math.toIntExact(scan.ledger.deletedClips()),
                scan.deletedRecords,
                List.copyOf(scan.findings));
    }

    /**
     * The ledger's size and file identity: an append makes it longer, a rewrite (docs/FORMAT.md §6) renames a new file
     * in place; either one during a read makes the read start again.
     */
    private static String ledgerStamp(Path dir) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(
                    dir.resolve(RetentionLedger.DIR).resolve(RetentionLedger.LEDGER_FILE),
                    java.nio.file.attribute.BasicFileAttributes.class);
            return a.size() + " " + a.fileKey() + " " + a.lastModifiedTime();
        } catch (IOException e) {
            return "none";
        }
    }
}
