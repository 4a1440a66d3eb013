package dev.doorbell.owner.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SealedChainCheckTest {
    private static final String DEVICE = "doorbell-0001";
    private static final long T0 = 1_780_000_000_000L;

    @Test
    void check_timesGoingUpAndKeysDistinct_findsNothing() {
        List<ChainedClip> chain = facts(
                Chains.whole(5, 3),
                new long[] {T0, T0 + 10_000, T0 + 20_000, T0 + 30_000, T0 + 40_000},
                new int[] {1, 2, 3, 4, 5});
        assertEquals(List.of(), SealedChainCheck.check(DEVICE, chain));
    }

    @Test
    void check_oneJumpBackOfAnHour_oneClockBackwardsAtThatPosition_informational() {
        List<ChainedClip> chain = facts(
                Chains.whole(4, 3),
                new long[] {T0, T0 + 10_000 - 3_600_000, T0 + 20_000 - 3_600_000, T0 + 30_000 - 3_600_000},
                new int[] {1, 2, 3, 4});
        List<ChainFinding> findings = SealedChainCheck.check(DEVICE, chain);
        assertEquals(1, findings.size(), findings.toString());
        ChainFinding f = findings.get(0);
        assertEquals(ChainFinding.Kind.CLOCK_BACKWARDS, f.kind());
        assertFalse(f.failure());
        assertEquals(chain.get(1).clipId(), f.clipId());
        assertTrue(
                f.line()
                        .startsWith("CLOCK BACKWARDS at position 2 (clip "
                                + chain.get(1).name() + " says it started at "),
                f.line());
        assertTrue(f.line().contains("59 min 50 s before clip " + chain.get(0).name() + " at position 1"), f.line());
    }

    @Test
    void check_withinTheTolerance_orTimeUnknown_notFlagged() {
        List<ChainedClip> chain = facts(Chains.whole(3, 3), new long[] {T0, T0 - 1_500, 0}, new int[] {1, 2, 3});
        assertEquals(List.of(), SealedChainCheck.check(DEVICE, chain));
    }

    @Test
    void check_threeClipsShareOneKey_oneKeyReusedNamingThemAll_failure_inAnyOrder() {
        List<ChainedClip> chain =
                facts(Chains.whole(5, 3), new long[] {T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4}, new int[] {1, 7, 3, 7, 7});
        List<ChainedClip> shuffled = new ArrayList<>(chain);
        Collections.reverse(shuffled);
        List<ChainFinding> findings = SealedChainCheck.check(DEVICE, shuffled);
        assertEquals(1, findings.size(), findings.toString());
        ChainFinding f = findings.get(0);
        assertEquals(ChainFinding.Kind.KEY_REUSED, f.kind());
        assertTrue(f.failure());
        assertTrue(
                f.line()
                        .startsWith("KEY REUSED by 3 clips (" + chain.get(1).name() + " (position 2), "
                                + chain.get(3).name() + " (position 4) and "
                                + chain.get(4).name() + " (position 5)): "),
                f.line());
    }

    @Test
    void storeChains_eachFindingComesAfterTheChainCheck() {
        List<ChainedClip> chain = facts(Chains.whole(2, 3), new long[] {T0, T0 - 7_200_000}, new int[] {4, 4});
        List<ChainFinding> findings = new ArrayList<>(ClipChain.check(DEVICE, chain, 1));
        assertEquals(
                List.of(ChainFinding.Kind.HEAD),
                findings.stream().map(ChainFinding::kind).toList());
        assertEquals(
                List.of(ChainFinding.Kind.KEY_REUSED, ChainFinding.Kind.CLOCK_BACKWARDS),
                SealedChainCheck.check(DEVICE, chain).stream()
                        .map(ChainFinding::kind)
                        .toList());
    }

    /** The clips with these start times and clip keys (a key number per clip; equal numbers, one key). */
    private static List<ChainedClip> facts(List<ChainedClip> chain, long[] starts, int[] keys) {
        List<ChainedClip> out = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            ChainedClip c = chain.get(i);
            byte[] fingerprint = new byte[32];
            fingerprint[0] = (byte) keys[i];
            out.add(new ChainedClip(
                    c.clipId(),
                    c.link(),
                    c.headerSha256(),
                    c.verifiedFrames(),
                    c.finalPresent(),
                    c.framesChecked(),
                    starts[i],
                    ByteString.copyFrom(fingerprint)));
        }
        return out;
    }
}
