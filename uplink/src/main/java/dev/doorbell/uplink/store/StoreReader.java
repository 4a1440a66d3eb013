package dev.doorbell.uplink.store;

import dev.doorbell.proto.v1.StoredFrame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a store directory without changing it, for tools and tests: lists its clips and returns each clip's header
 * bytes and frames exactly as stored. Opening runs every check of docs/FORMAT.md §6 ({@link StoreScan}); {@link
 * #report()} says what it found. A live store (an uplink holds its lock) is read up to its checkpoint.
 */
public final class StoreReader implements AutoCloseable {
    /** One stored frame, bytes as the device sent them. Sealed bytes are ciphertext, not a secret. */
    public record Frame(int seq, boolean last, byte[] meta, byte[] sealed) {}

    /**
     * One stored clip: header bytes as sent (null when the store lost them), frames in stored (= seq) order from 0
     * without a gap, whether its close is stored, and why it is damaged (null when it is not).
     */
    public record Clip(
            String deviceId, long clipId, byte[] header, List<Frame> frames, boolean closed, String damage) {}

    /**
     * What a scan found: counts, a torn tail (null when none), every problem (the findings that mean acknowledged data
     * is lost or unreadable, each naming segment and offsets or clip) and every finding. {@link #ok()} is true when
     * there is no problem; a torn tail alone is not one.
     */
    public record Report(
            int segments,
            long records,
            long bytes,
            int clips,
            String tornTail,
            List<String> problems,
            List<StoreFinding> findings) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final ClipIndex index;
    private final SegmentReads reads;
    private final Report report;

    private StoreReader(ClipIndex index, SegmentReads reads, Report report) {
        this.index = index;
        this.reads = reads;
        this.report = report;
    }

    public static StoreReader open(Path dir) throws IOException {
        int version = StoreScan.version(dir);
        long live = StoreLock.holder(dir).orElse(-1L);
        ClipIndex index = new ClipIndex();
        StoreScan scan = StoreScan.run(dir, version, live, index);
        String tornTail = scan.findings.stream()
                .filter(f -> f.kind() == StoreFinding.Kind.TORN_TAIL)
                .map(StoreFinding::message)
                .findFirst()
                .orElse(null);
        List<String> problems =
                scan.damage().stream().map(StoreFinding::toString).toList();
        Report report = new Report(
                scan.segments.size(),
                scan.records,
                scan.bytes,
                index.size(),
                tornTail,
                problems,
                List.copyOf(scan.findings));
        return new StoreReader(index, new SegmentReads(dir.resolve(SegmentFormat.SEGMENTS_DIR)), report);
    }

    /** Opens, reports and closes: the check of a whole store directory. */
    public static Report verify(Path dir) throws IOException {
        try (StoreReader reader = open(dir)) {
            return reader.report();
        }
    }

    public Report report() {
        return report;
    }

    /** Every clip found, by device id and then clip id. */
    public List<ClipStatus> clips() {
        List<ClipStatus> clips = new ArrayList<>();
        index.all().forEach(clip -> clips.add(clip.status()));
        return clips;
    }

    /** The clip's header and frames as stored, or null when the store has no such clip. */
    public Clip clip(String deviceId, long clipId) throws IOException {
        ClipState state = index.get(deviceId, clipId);
        if (state == null) {
            return null;
        }
        List<Frame> frames = new ArrayList<>(state.persisted());
        FrameLocations at = state.durableFrames;
        for (int seq = 0; seq < state.persisted(); seq++) {
            StoredFrame frame =
                    reads.read(at.segment(seq), at.offset(seq), at.length(seq)).getFrame();
            frames.add(new Frame(
                    frame.getSeq(),
                    frame.getLast(),
                    frame.getMeta().toByteArray(),
                    frame.getSealed().toByteArray()));
        }
        return new Clip(
                deviceId,
                clipId,
                state.header == null ? null : state.header.clone(),
                List.copyOf(frames),
                state.closePersisted,
                state.damage);
    }

    @Override
    public void close() throws IOException {
        reads.close();
    }
}
