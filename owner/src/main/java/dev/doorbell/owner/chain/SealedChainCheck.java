package dev.doorbell.owner.chain;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What only the owner can see along a device's chain, since it is sealed (docs/FORMAT.md §17, "Sealed facts along the
 * chain"): clips that share one clip key ({@code KEY REUSED}: the clip id is mixed into every key derived from it, so
 * no public field shows it) and start times that go backwards from one position to the next ({@code CLOCK
 * BACKWARDS}: the start time is inside the sealed ClipInfo). A pure function, as {@link ClipChain}; clips whose key or
 * start time is unknown are skipped.
 */
public final class SealedChainCheck {
    /**
     * A clip may say it started this much before the clip at the position before it without a finding: clips start
     * in position order, but a clock corrected by NTP may step back by a little.
     */
    public static final Duration CLOCK_TOLERANCE = Duration.ofSeconds(2);

    private SealedChainCheck() {}

    /** The findings for {@code clips} (one device's; any order): KEY REUSED once per shared key, then CLOCK BACKWARDS. */
    public static List<ChainFinding> check(String deviceId, List<ChainedClip> clips) {
        List<ChainedClip> ordered = clips.stream()
                .sorted(Comparator.comparingLong(ChainedClip::position)
                        .thenComparing(ChainedClip::clipId, Long::compareUnsigned))
                .toList();
        List<ChainFinding> findings = new ArrayList<>();
        keys(deviceId, ordered, findings);
        clock(deviceId, ordered, findings);
        return findings;
    }

    private static void keys(String deviceId, List<ChainedClip> ordered, List<ChainFinding> findings) {
        Map<ByteString, List<ChainedClip>> byKey = new LinkedHashMap<>();
        for (ChainedClip c : ordered) {
            if (!c.clipKeyFingerprint().isEmpty()) {
                byKey.computeIfAbsent(c.clipKeyFingerprint(), k -> new ArrayList<>())
                        .add(c);
            }
        }
        for (List<ChainedClip> sharing : byKey.values()) {
            if (sharing.size() < 2) {
                continue;
            }
            List<String> names = sharing.stream()
                    .map(c -> c.name() + " (position " + Long.toUnsignedString(c.position()) + ")")
                    .toList();
            findings.add(new ChainFinding(
                    ChainFinding.Kind.KEY_REUSED,
                    deviceId,
                    sharing.get(1).clipId(),
                    "KEY REUSED by " + sharing.size() + " clips (" + joined(names) + "): one clip key, so whoever"
                            + " opens one opens them all; the device's key generation repeats (a stuck random source,"
                            + " or firmware that keeps k)"));
        }
    }

    private static void clock(String deviceId, List<ChainedClip> ordered, List<ChainFinding> findings) {
        ChainedClip previous = null;
        for (ChainedClip c : ordered) {
            if (c.startUnixMs() == 0) {
                continue;
            }
            if (previous != null
                    && previous.position() < c.position()
                    && c.startUnixMs() + CLOCK_TOLERANCE.toMillis() < previous.startUnixMs()) {
                Duration back = Duration.ofMillis(previous.startUnixMs() - c.startUnixMs());
                findings.add(new ChainFinding(
                        ChainFinding.Kind.CLOCK_BACKWARDS,
                        deviceId,
                        c.clipId(),
                        "CLOCK BACKWARDS at position " + Long.toUnsignedString(c.position()) + " (clip " + c.name()
                                + " says it started at " + Instant.ofEpochMilli(c.startUnixMs()) + ", "
                                + human(back) + " before clip " + previous.name() + " at position "
                                + Long.toUnsignedString(previous.position()) + " started, at "
                                + Instant.ofEpochMilli(previous.startUnixMs())
                                + ": the device's clock went back; the chain's order is the true one)"));
            }
            if (previous == null || previous.position() < c.position()) {
                previous = c;
            }
        }
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return String.format("%.1f s", d.toMillis() / 1000.0);
        }
        if (s < 7200) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    private static String joined(List<String> names) {
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }
}
