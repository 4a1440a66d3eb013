package dev.doorbell.owner.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ChainLink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The chain check over generated chains: what an operator's deletion does, wherever it falls. */
class ClipChainPropertiesTest {
    private static final String DEVICE = "porch";

    @Property(tries = 200)
    void wholeChainInAnyOrder_onlyHeadOnTheNewest(
            @ForAll @IntRange(min = 1, max = 40) int n,
            @ForAll @IntRange(min = 1, max = 30) int frames,
            @ForAll long seed) {
        List<ChainedClip> whole = Chains.whole(n, frames, new Random(seed));
        List<ChainedClip> shuffled = new ArrayList<>(whole);
        Collections.shuffle(shuffled, new Random(seed));
        List<ChainFinding> findings = ClipChain.check(DEVICE, shuffled, 1);
        assertEquals(1, findings.size(), findings.toString());
        assertEquals(ChainFinding.Kind.HEAD, findings.get(0).kind());
        assertEquals(whole.get(n - 1).clipId(), findings.get(0).clipId());
    }

    @Property(tries = 300)
    void anyClipButTheNewestDeleted_missingNamingTheClipsAroundTheGap(
            @ForAll @IntRange(min = 2, max = 40) int n,
            @ForAll @IntRange(min = 0, max = 39) int first,
            @ForAll @IntRange(min = 1, max = 5) int count,
            @ForAll long seed) {
        int from = first % (n - 1);
        int to = Math.min(n - 1, from + count);
        List<ChainedClip> whole = Chains.whole(n, 8, new Random(seed));
        List<ChainedClip> kept = new ArrayList<>(whole.subList(0, from));
        kept.addAll(whole.subList(to, n));
        List<ChainFinding> findings = ClipChain.check(DEVICE, kept, 1);
        List<ChainFinding> missing =
                findings.stream().filter(ChainFinding::failure).toList();
        assertEquals(1, missing.size(), findings.toString());
        assertEquals(ChainFinding.Kind.MISSING, missing.get(0).kind());
        String line = missing.get(0).line();
        assertTrue(line.startsWith("MISSING " + (to - from) + " clip(s) "), line);
        if (from > 0) {
            assertTrue(
                    line.contains("between " + whole.get(from - 1).name() + " (position " + from + ") and "
                            + whole.get(to).name()),
                    line);
        } else {
            assertTrue(line.contains("before " + whole.get(to).name()), line);
        }
        assertEquals(
                whole.get(n - 1).clipId(), findings.get(findings.size() - 1).clipId());
    }

    @Property(tries = 200)
    void newestClipsDeleted_onlyTheHeadMoves(
            @ForAll @IntRange(min = 2, max = 40) int n,
            @ForAll @IntRange(min = 1, max = 39) int dropped,
            @ForAll long seed) {
        int keep = n - 1 - dropped % (n - 1);
        List<ChainedClip> whole = Chains.whole(n, 8, new Random(seed));
        List<ChainFinding> findings = ClipChain.check(DEVICE, whole.subList(0, keep), 1);
        assertEquals(1, findings.size(), findings.toString());
        assertEquals(ChainFinding.Kind.HEAD, findings.get(0).kind());
        assertEquals(whole.get(keep - 1).clipId(), findings.get(0).clipId());
    }

    @Property(tries = 200)
    void acknowledgedFramesCutFromAStoredClip_missingAtFrameExactlyWhenBelowTheAcknowledgedCount(
            @ForAll @IntRange(min = 2, max = 20) int n,
            @ForAll @IntRange(min = 0, max = 18) int at,
            @ForAll @IntRange(min = 0, max = 30) int acknowledged,
            @ForAll @IntRange(min = 0, max = 30) int stored,
            @ForAll long seed) {
        int index = at % (n - 1);
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(n, 30, new Random(seed)));
        ChainedClip cut = chain.get(index);
        chain.set(index, Chains.clip(cut.clipId(), cut.link(), cut.headerSha256(), stored, false, true));
        ChainedClip next = chain.get(index + 1);
        ChainLink vouched = next.link().toBuilder()
                .setPrevAcknowledgedFrames(acknowledged)
                .setPrevFinalAcknowledged(false)
                .build();
        chain.set(index + 1, Chains.withLink(next, vouched));
        List<ChainFinding> failures = ClipChain.check(DEVICE, chain, 1).stream()
                .filter(ChainFinding::failure)
                .toList();
        if (stored < acknowledged) {
            assertEquals(1, failures.size(), failures.toString());
            assertEquals(ChainFinding.Kind.MISSING_FRAMES, failures.get(0).kind());
            assertEquals(cut.clipId(), failures.get(0).clipId());
            assertTrue(failures.get(0).line().startsWith("MISSING at frame " + stored + " "));
        } else {
            assertEquals(List.of(), failures);
        }
    }

    @Property(tries = 200)
    void clipNamedTwiceAtOnePosition_chainBroken(
            @ForAll @IntRange(min = 1, max = 20) int n,
            @ForAll @IntRange(min = 0, max = 19) int at,
            @ForAll long seed) {
        int index = at % n;
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(n, 8, new Random(seed)));
        ChainedClip twin = chain.get(index);
        chain.add(Chains.clip(twin.clipId() ^ 0x4000_0000_0000_0000L, twin.link(), 8, true));
        assertTrue(
                ClipChain.check(DEVICE, chain, 1).stream()
                        .anyMatch(f -> f.kind() == ChainFinding.Kind.CHAIN_BROKEN
                                && f.line().startsWith("CHAIN BROKEN at position " + (index + 1) + " (clips ")),
                () -> ClipChain.check(DEVICE, chain, 1).toString());
    }
}
