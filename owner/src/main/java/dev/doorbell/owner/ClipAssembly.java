package dev.doorbell.owner;

import dev.doorbell.proto.v1.StoredClipOpen;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.seal.ClipHoles;
import dev.doorbell.seal.FrameHole;
import dev.doorbell.seal.StoredFrameBytes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups the records of a log by (device, clip) in log order and works out, for each clip, which holes of the log
 * (damaged ranges, missing or shortened segments) lie where its header, frames or final frame would be
 * (docs/FORMAT.md §6, "Which clips a hole touches").
 */
final class ClipAssembly {
    /** A part of the log the reader could not read, placed at a log position (segment number, offset). */
    record Hole(long segment, long offset, String where) {}

    private record Entry(long segment, long offset, boolean frame, boolean close, long seq) {}

    private static final Comparator<Hole> ORDER =
            Comparator.comparingLong(Hole::segment).thenComparingLong(Hole::offset);

    private static final int MAX_FLAG_CHARS = 300;

    private final List<Hole> holes;
    private final Map<String, Builder> clips = new LinkedHashMap<>();

    ClipAssembly(List<Hole> holes) {
        this.holes = new ArrayList<>(holes);
        this.holes.sort(ORDER);
    }

    void add(long segment, long offset, StoredRecord record) {
        switch (record.getBodyCase()) {
            case CLIP_OPEN -> {
                StoredClipOpen open = record.getClipOpen();
                Builder clip = clip(open.getDeviceId(), open.getClipId());
                String at = "segment " + StoreFinding.segmentName(segment) + " offset " + offset;
                if (clip.header != null) {
                    clip.headerProblem = "bad header (a second clip_open record of the clip at " + at + ")";
                } else if (!clip.frames.isEmpty()) {
                    clip.headerProblem =
                            "bad header (the clip_open record at " + at + " comes after frames of the clip)";
                } else {
                    clip.header = open.getHeader().toByteArray();
                    open.getUplinkFlagsList()
                            .forEach(f -> clip.uplinkFlags.add(printable(f.getReason() + " (" + f.getDetail() + ")")));
                }
                clip.entries.add(new Entry(segment, offset, false, false, -1));
            }
            case FRAME -> {
                StoredFrame f = record.getFrame();
                Builder clip = clip(f.getDeviceId(), f.getClipId());
                clip.frames.add(new StoredFrameBytes(
                        f.getSeq(),
                        f.getLast(),
                        f.getMeta().toByteArray(),
                        f.getSealed().toByteArray()));
                clip.sealedBytes += f.getSealed().size();
                clip.entries.add(new Entry(segment, offset, true, false, Integer.toUnsignedLong(f.getSeq())));
            }
            case CLIP_CLOSE -> {
                Builder clip = clip(
                        record.getClipClose().getDeviceId(),
                        record.getClipClose().getClipId());
                clip.closed = true;
                clip.entries.add(new Entry(segment, offset, false, true, -1));
            }
            default -> {
                // Start records describe the log, not a clip; the reader has checked them.
            }
        }
    }

    List<StoredClip> clips() {
        List<StoredClip> out = new ArrayList<>();
        for (Builder b : clips.values()) {
            out.add(new StoredClip(
                    b.deviceId,
                    b.clipId,
                    b.header,
                    b.frames,
                    b.closed,
                    b.sealedBytes,
                    b.headerProblem,
                    holesOf(b),
                    b.uplinkFlags));
        }
        return out;
    }

    private ClipHoles holesOf(Builder clip) {
        List<Entry> entries = clip.entries;
        Entry first = entries.get(0);
        String header = null;
        if (clip.header == null) {
            int before = countBefore(first.segment, first.offset);
            header = before == 0 ? null : holes.get(before - 1).where();
        }
        List<FrameHole> frames = new ArrayList<>();
        long maxSeq = -1;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (i > 0) {
                Entry previous = entries.get(i - 1);
                int from = countBefore(previous.segment, previous.offset + 1);
                if (from < countBefore(e.segment, e.offset)) {
                    frames.add(new FrameHole(
                            maxSeq,
                            e.frame ? e.seq : FrameHole.NO_LATER_FRAME,
                            holes.get(from).where()));
                }
            }
            if (e.frame) {
                maxSeq = Math.max(maxSeq, e.seq);
            }
        }
        Entry last = entries.get(entries.size() - 1);
        int after = countBefore(last.segment, last.offset + 1);
        if (!last.close && after < holes.size()) {
            frames.add(new FrameHole(
                    maxSeq, FrameHole.NO_LATER_FRAME, holes.get(after).where()));
        }
        return new ClipHoles(header, frames);
    }

    /**
     * A flag is text from the store, which the reader treats as hostile: only printable ASCII reaches a terminal,
     * and no more of it than a line.
     */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < MAX_FLAG_CHARS; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    /** How many holes lie before log position (segment, offset). */
    private int countBefore(long segment, long offset) {
        int lo = 0;
        int hi = holes.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            Hole h = holes.get(mid);
            if (h.segment < segment || (h.segment == segment && h.offset < offset)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private Builder clip(String deviceId, long clipId) {
        return clips.computeIfAbsent(deviceId + "/" + clipId, k -> new Builder(deviceId, clipId));
    }

    private static final class Builder {
        final String deviceId;
        final long clipId;
        final List<StoredFrameBytes> frames = new ArrayList<>();
        final List<Entry> entries = new ArrayList<>();
        final List<String> uplinkFlags = new ArrayList<>();
        byte[] header;
        String headerProblem;
        boolean closed;
        long sealedBytes;

        Builder(String deviceId, long clipId) {
            this.deviceId = deviceId;
            this.clipId = clipId;
        }
    }
}
