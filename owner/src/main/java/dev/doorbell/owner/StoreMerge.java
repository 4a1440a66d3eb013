package dev.doorbell.owner;

import dev.doorbell.seal.ClipHoles;
import dev.doorbell.seal.FrameHole;
import dev.doorbell.seal.StoredFrameBytes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges the snapshots of several uplink stores into one, for uplink processes that share a port (SO_REUSEPORT):
 * a device that reconnects to another process is told its clip is unknown there and re-sends the whole clip, so
 * one clip can be stored, partly or wholly, in several stores.
 *
 * <p>Across stores, identical copies of a frame (same seq, last flag, metadata and sealed bytes) are one frame.
 * Different copies of one frame are both kept, next to each other, so the opener calls the clip TAMPERED at that
 * frame, and a warning names the clip and the stores. A clip whose frames are out of order within one store is
 * passed on in stored order, unmerged, so that the opener still sees (and reports) that store's disorder. The
 * holes each store's reader found around a clip are kept, so a frame lost in one store's damaged range and present
 * in another store is simply there, while one lost everywhere still makes the clip DAMAGED.
 */
public final class StoreMerge {
    private StoreMerge() {}

    public static StoreSnapshot merge(List<StoreSnapshot> snapshots) {
        if (snapshots.isEmpty()) {
            throw new IllegalArgumentException("no stores to merge");
        }
        if (snapshots.size() == 1) {
            return snapshots.get(0);
        }
        Map<String, List<Copy>> byClip = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        List<StoreReport> stores = new ArrayList<>();
        for (StoreSnapshot s : snapshots) {
            stores.addAll(s.stores());
            for (String w : s.warnings()) {
                warnings.add(s.dir() + ": " + w);
            }
            for (StoredClip c : s.clips()) {
                byClip.computeIfAbsent(c.deviceId() + "/" + c.clipId(), k -> new ArrayList<>())
                        .add(new Copy(s.dir(), c));
            }
        }
        List<StoredClip> clips = new ArrayList<>();
        for (List<Copy> copies : byClip.values()) {
            clips.add(copies.size() == 1 ? copies.get(0).clip() : mergeClip(copies, warnings));
        }
        return new StoreSnapshot(snapshots.get(0).dir(), clips, warnings, stores);
    }

    private static StoredClip mergeClip(List<Copy> copies, List<String> warnings) {
        StoredClip first = copies.get(0).clip();
        String name = first.deviceId() + "/" + first.clipName();
        byte[] header = null;
        Path headerFrom = null;
        String headerProblem = null;
        String headerHole = null;
        List<FrameHole> holes = new ArrayList<>();
        Set<String> uplinkFlags = new LinkedHashSet<>();
        boolean closed = false;
        boolean ordered = true;
        for (Copy copy : copies) {
            StoredClip c = copy.clip();
            closed |= c.closed();
            ordered &= increasing(c.frames());
            uplinkFlags.addAll(c.uplinkFlags());
            for (FrameHole h : c.holes().frames()) {
                holes.add(new FrameHole(h.afterSeq(), h.beforeSeq(), h.where() + " of " + copy.store()));
            }
            if (headerProblem == null) {
                headerProblem = c.headerProblem();
            }
            if (headerHole == null && c.holes().header() != null) {
                headerHole = c.holes().header() + " of " + copy.store();
            }
            if (c.header() == null) {
                continue;
            }
            if (header == null) {
                header = c.header();
                headerFrom = copy.store();
            } else if (!Arrays.equals(header, c.header())) {
                warnings.add("clip " + name + " has different headers in " + headerFrom + " and " + copy.store()
                        + "; the first is used, so the other store's frames cannot verify");
            }
        }
        List<StoredFrameBytes> frames = new ArrayList<>();
        if (!ordered) {
            copies.forEach(copy -> frames.addAll(copy.clip().frames()));
        } else {
            Map<Integer, StoredFrameBytes> kept = new LinkedHashMap<>();
            Map<Integer, Path> keptFrom = new LinkedHashMap<>();
            for (Copy copy : copies) {
                for (StoredFrameBytes f : copy.clip().frames()) {
                    StoredFrameBytes earlier = kept.putIfAbsent(f.seq(), f);
                    if (earlier == null) {
                        keptFrom.put(f.seq(), copy.store());
                        frames.add(f);
                    } else if (!same(earlier, f)) {
                        warnings.add("clip " + name + " frame " + Integer.toUnsignedString(f.seq())
                                + " differs between " + keptFrom.get(f.seq()) + " and " + copy.store());
                        frames.add(f);
                    }
                }
            }
            frames.sort(Comparator.comparingLong(f -> Integer.toUnsignedLong(f.seq())));
        }
        long sealedBytes = frames.stream().mapToLong(f -> f.sealed().length).sum();
        return new StoredClip(
                first.deviceId(),
                first.clipId(),
                header,
                frames,
                closed,
                sealedBytes,
                headerProblem,
                new ClipHoles(header == null ? headerHole : null, holes),
                List.copyOf(uplinkFlags));
    }

    private static boolean increasing(List<StoredFrameBytes> frames) {
        for (int i = 1; i < frames.size(); i++) {
            if (Integer.compareUnsigned(frames.get(i - 1).seq(), frames.get(i).seq()) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(StoredFrameBytes a, StoredFrameBytes b) {
        return a.last() == b.last() && Arrays.equals(a.meta(), b.meta()) && Arrays.equals(a.sealed(), b.sealed());
    }

    private record Copy(Path store, StoredClip clip) {}
}
