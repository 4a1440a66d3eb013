package dev.doorbell.uplink.store;

import dev.doorbell.proto.v1.StoredSegmentStart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks behind {@code scripts/uplink fsck}: a store's segments, its checkpoint and every finding of
 * docs/FORMAT.md §6, without a server. {@link #check} only reads (a live store up to its checkpoint); {@link
 * #salvage} takes the store's lock and does what the uplink does when it starts: damaged ranges copied aside, a
 * torn tail past the checkpoint cut from the newest segment. Neither ever rewrites acknowledged bytes.
 */
public final class StoreCheck {
    /**
     * One segment: its size on disk, its valid records (start record included), its start record (null when it has
     * none) and what it was committed to hold ({@code committedLength} -1 when nothing says), and who says so.
     */
    public record Segment(
            long number,
            long bytes,
            long records,
            StoredSegmentStart start,
            long committedLength,
            long committedRecords,
            String committedBy) {
        public String name() {
            return SegmentFormat.segmentName(number);
        }
    }

    /**
     * What was found. {@code livePid} is the pid of the uplink holding the store, -1 when none does; {@code
     * checkpoint} is null when there is no valid one; {@code salvaged} lists what {@link #salvage} did.
     */
    public record Report(
            Path dir,
            int version,
            long livePid,
            Checkpoint checkpoint,
            List<Segment> segments,
            long records,
            int clips,
            int damagedClips,
            List<StoreFinding> findings,
            List<String> salvaged) {
        /** True when acknowledged data is lost, damaged or unreadable (fsck exits 1). */
        public boolean damage() {
            return findings.stream().anyMatch(StoreFinding::damage);
        }
    }

    private StoreCheck() {}

    /** Reads the store in {@code dir} and checks everything; changes nothing. */
    public static Report check(Path dir) throws IOException {
        requireStore(dir);
        // A running uplink's retention may remove or compact a closed segment during the read; its ledger line comes
        // first, so a read during which the ledger did not change is consistent.
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            String ledger = ledgerStamp(dir);
            try {
                int version = StoreScan.version(dir);
                long live = StoreLock.holder(dir).orElse(-1L);
                // A check counts clips and damage only: closed clips take compact form at once, no header bytes kept.
                ClipIndex index = new ClipIndex(0);
                Report report = report(dir, version, live, index, StoreScan.run(dir, version, live, index), List.of());
                if (ledgerStamp(dir).equals(ledger)) {
                    return report;
                }
            } catch (java.nio.file.NoSuchFileException e) {
                last = e;
            }
        }
        throw new IOException("store " + dir + " kept changing under retention while it was read", last);
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

    /**
     * As {@link #check}, with the store's lock held, and acting on what is found as the uplink's start does.
     *
     * @throws StoreLockedException when an uplink holds the store: nothing is read or changed
     */
    public static Report salvage(Path dir) throws IOException {
        requireStore(dir);
        try (StoreLock lock = StoreLock.acquire(dir)) {
            int version = StoreScan.version(dir);
            ClipIndex index = new ClipIndex(0);
            List<String> actions = new ArrayList<>();
            StoreScan scan = StoreRecovery.recover(dir, version, index, DiskOps.REAL, Clock.systemUTC(), actions::add);
            return report(dir, version, -1, index, scan, actions);
        }
    }

    private static Report report(
            Path dir, int version, long live, ClipIndex index, StoreScan scan, List<String> salvaged) {
        List<Segment> segments = new ArrayList<>();
        for (StoreScan.Segment s : scan.segments) {
            StoreScan.Expectation expected = s.expected();
            segments.add(new Segment(
                    s.number(),
                    s.result().size(),
                    s.result().records(),
                    s.result().start(),
                    expected == null ? -1 : expected.length(),
                    expected == null ? -1 : expected.records(),
                    expected == null ? null : expected.source()));
        }
        return new Report(
                dir,
                version,
                live,
                scan.checkpoint,
                List.copyOf(segments),
                scan.records,
                index.size(),
                index.damaged().size(),
                List.copyOf(scan.findings),
                List.copyOf(salvaged));
    }

    /** Checked before the lock is taken, so that fsck never makes a store, or a lock file, where there is none. */
    private static void requireStore(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " is not a directory");
        }
        if (!Files.isRegularFile(dir.resolve(SegmentFormat.MARKER_FILE))) {
            throw new IOException(dir + " is not a doorbell store: it has no " + SegmentFormat.MARKER_FILE + " marker");
        }
    }
}
