package dev.doorbell.owner.chain;

import dev.doorbell.proto.v1.ChainLink;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The owner's check of one device's chain of clips (docs/FORMAT.md §17): a pure function from the device's opened
 * format v3 clips to findings, in position order, the head last. Each v3 header names, under the device's signature,
 * its position (1 for the first clip after pairing, +1 per clip started), its predecessor's clip id and header hash,
 * and how many of the predecessor's frames the uplink had acknowledged PERSISTED when the clip started; so a clip
 * dropped from the middle of the store leaves a gap that its successor names (MISSING), and a clip the device never
 * got to the uplink is told apart by its successor saying that none of its frames was acknowledged (UNSENT).
 *
 * <p>The newest stored clip has no successor to vouch for it: clips started after it may simply not have arrived,
 * so the check names it (HEAD) and fails nothing for it. That is the one thing an operator can drop unseen: the most
 * recent clips, until the next one arrives.
 */
public final class ClipChain {
    private ClipChain() {}

    /**
     * Checks {@code clips} (one device's; any order). {@code fromPosition} is the first position the store is meant to
     * hold (1 unless older clips were deleted on purpose, e.g. by retention): positions before it are not MISSING.
     */
    public static List<ChainFinding> check(String deviceId, List<ChainedClip> clips, long fromPosition) {
        if (fromPosition < 1) {
            throw new IllegalArgumentException("fromPosition must be >= 1, got " + fromPosition);
        }
        List<ChainFinding> findings = new ArrayList<>();
        TreeMap<Long, List<ChainedClip>> byPosition = clips.stream()
                .sorted(Comparator.comparingLong(ChainedClip::position)
                        .thenComparing(ChainedClip::clipId, Long::compareUnsigned))
                .collect(Collectors.groupingBy(ChainedClip::position, TreeMap::new, Collectors.toList()));
        List<ChainedClip> atZero = byPosition.remove(0L);
        if (atZero != null) {
            for (ChainedClip c : atZero) {
                findings.add(new ChainFinding(
                        ChainFinding.Kind.CHAIN_BROKEN,
                        deviceId,
                        c.clipId(),
                        "CHAIN BROKEN at position 0 (clip " + c.name() + " claims position 0; positions start at 1)"));
            }
        }
        if (byPosition.isEmpty()) {
            return findings;
        }
        for (Map.Entry<Long, List<ChainedClip>> e : byPosition.entrySet()) {
            if (e.getValue().size() > 1) {
                findings.add(new ChainFinding(
                        ChainFinding.Kind.CHAIN_BROKEN,
                        deviceId,
                        e.getValue().get(1).clipId(),
                        "CHAIN BROKEN at position " + Long.toUnsignedString(e.getKey()) + " (clips "
                                + names(e.getValue()) + " " + (e.getValue().size() == 2 ? "both" : "all")
                                + " claim it: the device's chain state was rolled back or forked)"));
            }
        }
        beforeFirst(deviceId, byPosition.firstEntry(), fromPosition, findings);
        Map.Entry<Long, List<ChainedClip>> previous = null;
        for (Map.Entry<Long, List<ChainedClip>> current : byPosition.entrySet()) {
            if (previous != null) {
                between(deviceId, previous, current, findings);
            }
            previous = current;
        }
        ChainedClip head = previous.getValue().get(0);
        findings.add(new ChainFinding(
                ChainFinding.Kind.HEAD,
                deviceId,
                head.clipId(),
                "HEAD clip " + head.name() + " at position " + Long.toUnsignedString(head.position())
                        + "; clips started after it, if any, have not arrived"));
        return findings;
    }

    /** The first stored position: position 1 names no predecessor; a later one needs the clips before it. */
    private static void beforeFirst(
            String deviceId, Map.Entry<Long, List<ChainedClip>> first, long fromPosition, List<ChainFinding> findings) {
        long position = first.getKey();
        ChainedClip f = first.getValue().get(0);
        if (position == 1) {
            for (ChainedClip c : first.getValue()) {
                if (c.link().getPrevClipId() != 0
                        || !c.link().getPrevHeaderSha256().isEmpty()) {
                    findings.add(new ChainFinding(
                            ChainFinding.Kind.CHAIN_BROKEN,
                            deviceId,
                            c.clipId(),
                            "CHAIN BROKEN at position 1 (clip " + c.name() + " names predecessor "
                                    + hex(c.link().getPrevClipId()) + " but position 1 has none)"));
                }
            }
        }
        if (Long.compareUnsigned(position, fromPosition) <= 0) {
            return;
        }
        long absent = position - fromPosition;
        ChainLink link = f.link();
        if (absent == 1 && link.getPrevAcknowledgedFrames() == 0 && !link.getPrevFinalAcknowledged()) {
            findings.add(new ChainFinding(
                    ChainFinding.Kind.UNSENT,
                    deviceId,
                    f.clipId(),
                    "UNSENT clip " + hex(link.getPrevClipId()) + " (position " + Long.toUnsignedString(fromPosition)
                            + ", before " + f.name() + "): the device had no frame of it acknowledged (power loss or"
                            + " a dropped link before upload)"));
            return;
        }
        findings.add(new ChainFinding(
                ChainFinding.Kind.MISSING,
                deviceId,
                f.clipId(),
                "MISSING " + Long.toUnsignedString(absent) + " clip(s) before " + f.name() + " (positions "
                        + Long.toUnsignedString(fromPosition) + ".." + Long.toUnsignedString(position - 1)
                        + " are not in this store)"));
    }

    /** Two neighbouring stored positions: linked, or a gap between them. */
    private static void between(
            String deviceId,
            Map.Entry<Long, List<ChainedClip>> before,
            Map.Entry<Long, List<ChainedClip>> after,
            List<ChainFinding> findings) {
        long pa = before.getKey();
        long pb = after.getKey();
        ChainedClip a = before.getValue().get(0);
        if (pb == pa + 1) {
            boolean checkedFrames = false;
            for (ChainedClip b : after.getValue()) {
                ChainedClip named = named(before.getValue(), b.link());
                if (named == null) {
                    findings.add(new ChainFinding(
                            ChainFinding.Kind.CHAIN_BROKEN,
                            deviceId,
                            b.clipId(),
                            "CHAIN BROKEN at position " + Long.toUnsignedString(pb) + " (clip " + b.name()
                                    + " names predecessor " + hex(b.link().getPrevClipId())
                                    + (before.getValue().size() == 1
                                            ? " but the clip at position " + Long.toUnsignedString(pa) + " is "
                                                    + a.name()
                                            : " but the clips at position " + Long.toUnsignedString(pa) + " are "
                                                    + names(before.getValue()))
                                    + (b.link().getPrevClipId() == a.clipId()
                                                    && before.getValue().size() == 1
                                            ? " with another header hash"
                                            : "")
                                    + ")"));
                } else if (!checkedFrames) {
                    checkedFrames = true;
                    acknowledgedFrames(deviceId, named, b.link(), findings);
                }
            }
            return;
        }
        ChainedClip b = after.getValue().get(0);
        ChainLink link = b.link();
        for (ChainedClip c : before.getValue()) {
            if (link.getPrevClipId() == c.clipId()) {
                findings.add(new ChainFinding(
                        ChainFinding.Kind.CHAIN_BROKEN,
                        deviceId,
                        b.clipId(),
                        "CHAIN BROKEN at position " + Long.toUnsignedString(pb) + " (clip " + b.name()
                                + " names predecessor " + c.name() + ", which is at position "
                                + Long.toUnsignedString(pa) + ", not " + Long.toUnsignedString(pb - 1) + ")"));
                return;
            }
        }
        if (pb == pa + 2 && link.getPrevAcknowledgedFrames() == 0 && !link.getPrevFinalAcknowledged()) {
            findings.add(new ChainFinding(
                    ChainFinding.Kind.UNSENT,
                    deviceId,
                    b.clipId(),
                    "UNSENT clip " + hex(link.getPrevClipId()) + " (position " + Long.toUnsignedString(pa + 1)
                            + ", between " + a.name() + " and " + b.name() + "): the device had no frame of it"
                            + " acknowledged (power loss or a dropped link before upload)"));
            return;
        }
        findings.add(new ChainFinding(
                ChainFinding.Kind.MISSING,
                deviceId,
                b.clipId(),
                "MISSING " + Long.toUnsignedString(pb - pa - 1) + " clip(s) between " + a.name() + " (position "
                        + Long.toUnsignedString(pa) + ") and " + b.name() + " (position " + Long.toUnsignedString(pb)
                        + "): " + b.name() + " names its predecessor " + hex(link.getPrevClipId())
                        + ", of which the uplink had acknowledged " + acknowledged(link)));
    }

    /** Rule 5: the successor vouches for K acknowledged frames (and maybe the final one) of {@code a}. */
    private static void acknowledgedFrames(
            String deviceId, ChainedClip a, ChainLink link, List<ChainFinding> findings) {
        if (!a.framesChecked()) {
            return;
        }
        long k = Integer.toUnsignedLong(link.getPrevAcknowledgedFrames());
        boolean finalGone = link.getPrevFinalAcknowledged() && !a.finalPresent();
        if (a.verifiedFrames() >= k && !finalGone) {
            return;
        }
        findings.add(new ChainFinding(
                ChainFinding.Kind.MISSING_FRAMES,
                deviceId,
                a.clipId(),
                "MISSING at frame " + a.verifiedFrames() + " (the uplink acknowledged " + acknowledged(link)
                        + ", the store holds " + a.verifiedFrames() + ")"));
    }

    private static String acknowledged(ChainLink link) {
        long k = Integer.toUnsignedLong(link.getPrevAcknowledgedFrames());
        return k
                + (k == 1 ? " frame" : " frames")
                + (link.getPrevFinalAcknowledged() ? " including its final frame" : "");
    }

    private static ChainedClip named(List<ChainedClip> candidates, ChainLink link) {
        for (ChainedClip c : candidates) {
            if (c.clipId() == link.getPrevClipId() && c.headerSha256().equals(link.getPrevHeaderSha256())) {
                return c;
            }
        }
        return null;
    }

    private static String names(List<ChainedClip> clips) {
        List<String> names = clips.stream().map(ChainedClip::name).toList();
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    static String hex(long clipId) {
        return String.format("%016x", clipId);
    }
}
