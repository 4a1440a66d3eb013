package dev.doorbell.owner.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every rule of docs/FORMAT.md §17's chain check, one case each, on hand-made chains. */
class ClipChainTest {
    private static final String DEVICE = "porch";

    @Test
    void check_wholeChain_onlyHead() {
        List<ChainedClip> chain = Chains.whole(4, 10);
        List<ChainFinding> findings = ClipChain.check(DEVICE, chain, 1);
        assertEquals(1, findings.size(), findings.toString());
        assertEquals(ChainFinding.Kind.HEAD, findings.get(0).kind());
        assertEquals(
                "HEAD clip " + chain.get(3).name() + " at position 4; clips started after it, if any, have not arrived",
                findings.get(0).line());
        assertFalse(findings.get(0).failure());
    }

    @Test
    void check_noClips_nothing() {
        assertEquals(List.of(), ClipChain.check(DEVICE, List.of(), 1));
    }

    @Test
    void check_twoClipsOnePosition_chainBroken() {
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(3, 10));
        ChainedClip second = chain.get(1);
        ChainedClip fork = Chains.clip(0x77L, second.link(), 10, true);
        chain.add(fork);
        List<ChainFinding> findings = ClipChain.check(DEVICE, chain, 1);
        ChainFinding broken = only(findings, ChainFinding.Kind.CHAIN_BROKEN);
        String first = Long.compareUnsigned(second.clipId(), 0x77L) < 0 ? second.name() : fork.name();
        String other = first.equals(fork.name()) ? second.name() : fork.name();
        assertEquals(
                "CHAIN BROKEN at position 2 (clips " + first + " and " + other
                        + " both claim it: the device's chain state was rolled back or forked)",
                broken.line());
        assertTrue(broken.failure());
    }

    @Test
    void check_successorNamesAnotherPredecessor_chainBroken() {
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(3, 10));
        ChainedClip third = chain.get(2);
        ChainLink wrong = third.link().toBuilder().setPrevClipId(0x1234L).build();
        chain.set(2, Chains.clip(third.clipId(), wrong, 10, true));
        ChainFinding broken = only(ClipChain.check(DEVICE, chain, 1), ChainFinding.Kind.CHAIN_BROKEN);
        assertEquals(
                "CHAIN BROKEN at position 3 (clip " + third.name() + " names predecessor 0000000000001234 but the clip"
                        + " at position 2 is " + chain.get(1).name() + ")",
                broken.line());
    }

    @Test
    void check_successorNamesPredecessorWithAnotherHeaderHash_chainBroken() {
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(3, 10));
        ChainedClip third = chain.get(2);
        ChainLink wrong = third.link().toBuilder()
                .setPrevHeaderSha256(ByteString.copyFrom(new byte[32]))
                .build();
        chain.set(2, Chains.clip(third.clipId(), wrong, 10, true));
        ChainFinding broken = only(ClipChain.check(DEVICE, chain, 1), ChainFinding.Kind.CHAIN_BROKEN);
        assertTrue(broken.line().endsWith(" with another header hash)"), broken.line());
    }

    @Test
    void check_firstPositionNamesAPredecessor_chainBroken() {
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(2, 10));
        ChainedClip first = chain.get(0);
        chain.set(
                0,
                Chains.withLink(first, first.link().toBuilder().setPrevClipId(9).build()));
        ChainFinding broken = only(ClipChain.check(DEVICE, chain, 1), ChainFinding.Kind.CHAIN_BROKEN);
        assertTrue(broken.line().startsWith("CHAIN BROKEN at position 1 (clip " + first.name()), broken.line());
    }

    @Test
    void check_positionZero_chainBroken() {
        ChainedClip zero = Chains.clip(5, ChainLink.newBuilder().setPosition(0).build(), 1, true);
        List<ChainFinding> findings = ClipChain.check(DEVICE, List.of(zero), 1);
        assertEquals(1, findings.size());
        assertEquals(ChainFinding.Kind.CHAIN_BROKEN, findings.get(0).kind());
    }

    @Test
    void check_middleClipGone_missingNamesBothNeighbours() {
        List<ChainedClip> whole = Chains.whole(5, 10);
        List<ChainedClip> chain = new ArrayList<>(whole);
        chain.remove(2);
        ChainFinding missing = only(ClipChain.check(DEVICE, chain, 1), ChainFinding.Kind.MISSING);
        assertEquals(
                "MISSING 1 clip(s) between " + whole.get(1).name() + " (position 2) and "
                        + whole.get(3).name()
                        + " (position 4): " + whole.get(3).name() + " names its predecessor "
                        + whole.get(2).name()
                        + ", of which the uplink had acknowledged 10 frames including its final frame",
                missing.line());
        assertTrue(missing.failure());
        assertEquals(whole.get(3).clipId(), missing.clipId());
    }

    @Test
    void check_twoClipsGone_missingTwo() {
        List<ChainedClip> whole = Chains.whole(5, 10);
        List<ChainedClip> chain = new ArrayList<>(whole);
        chain.remove(2);
        chain.remove(1);
        ChainFinding missing = only(ClipChain.check(DEVICE, chain, 1), ChainFinding.Kind.MISSING);
        assertTrue(missing.line()
                .startsWith("MISSING 2 clip(s) between " + whole.get(0).name() + " (position 1) and "
                        + whole.get(3).name() + " (position 4)"));
    }

    @Test
    void check_oneClipGoneThatTheDeviceHadNoAckFor_unsentNotAFailure() {
        List<ChainedClip> whole = Chains.whole(4, 10);
        List<ChainedClip> chain = new ArrayList<>(whole);
        chain.remove(1);
        ChainedClip third = chain.get(1);
        chain.set(
                1,
                Chains.withLink(
                        third,
                        third.link().toBuilder()
                                .setPrevAcknowledgedFrames(0)
                                .setPrevFinalAcknowledged(false)
                                .build()));
        List<ChainFinding> findings = ClipChain.check(DEVICE, chain, 1);
        ChainFinding unsent = only(findings, ChainFinding.Kind.UNSENT);
        assertEquals(
                "UNSENT clip " + whole.get(1).name() + " (position 2, between "
                        + whole.get(0).name() + " and "
                        + whole.get(2).name() + "): the device had no frame of it acknowledged (power loss or a dropped"
                        + " link before upload)",
                unsent.line());
        assertTrue(findings.stream().noneMatch(ChainFinding::failure), findings.toString());
    }

    @Test
    void check_twoClipsGoneAndNoAckForTheSecond_stillMissing() {
        List<ChainedClip> whole = Chains.whole(5, 10);
        List<ChainedClip> chain = new ArrayList<>(whole);
        chain.remove(2);
        chain.remove(1);
        ChainedClip fourth = chain.get(1);
        chain.set(
                1,
                Chains.withLink(
                        fourth,
                        fourth.link().toBuilder()
                                .setPrevAcknowledgedFrames(0)
                                .setPrevFinalAcknowledged(false)
                                .build()));
        only(ClipChain.check(DEVICE, chain, 1), ChainFinding.Kind.MISSING);
    }

    @Test
    void check_firstClipsGone_missingBefore() {
        List<ChainedClip> whole = Chains.whole(5, 10);
        List<ChainedClip> chain = new ArrayList<>(whole.subList(2, 5));
        ChainFinding missing = only(ClipChain.check(DEVICE, chain, 1), ChainFinding.Kind.MISSING);
        assertEquals(
                "MISSING 2 clip(s) before " + whole.get(2).name() + " (positions 1..2 are not in this store)",
                missing.line());
    }

    @Test
    void check_firstClipsGoneBelowFromPosition_notMissing() {
        List<ChainedClip> whole = Chains.whole(5, 10);
        List<ChainedClip> chain = new ArrayList<>(whole.subList(2, 5));
        assertEquals(
                List.of(ChainFinding.Kind.HEAD),
                ClipChain.check(DEVICE, chain, 3).stream()
                        .map(ChainFinding::kind)
                        .toList());
        ChainFinding missing = only(ClipChain.check(DEVICE, whole.subList(3, 5), 2), ChainFinding.Kind.MISSING);
        assertEquals(
                "MISSING 2 clip(s) before " + whole.get(3).name() + " (positions 2..3 are not in this store)",
                missing.line());
    }

    @Test
    void check_fromPositionBelowOne_refused() {
        assertThrows(IllegalArgumentException.class, () -> ClipChain.check(DEVICE, List.of(), 0));
    }

    @Test
    void check_firstClipNeverSent_unsentBefore() {
        List<ChainedClip> whole = Chains.whole(3, 10);
        ChainedClip second = whole.get(1);
        List<ChainedClip> chain = List.of(
                Chains.withLink(
                        second,
                        second.link().toBuilder()
                                .setPrevAcknowledgedFrames(0)
                                .setPrevFinalAcknowledged(false)
                                .build()),
                whole.get(2));
        List<ChainFinding> findings = ClipChain.check(DEVICE, chain, 1);
        ChainFinding unsent = only(findings, ChainFinding.Kind.UNSENT);
        assertTrue(
                unsent.line()
                        .startsWith(
                                "UNSENT clip " + whole.get(0).name() + " (position 1, before " + second.name() + ")"),
                unsent.line());
        assertTrue(findings.stream().noneMatch(ChainFinding::failure));
    }

    @Test
    void check_acknowledgedFramesGone_verdictBecomesMissingAtFrame() {
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(3, 10));
        ChainedClip second = chain.get(1);
        chain.set(1, Chains.clip(second.clipId(), second.link(), second.headerSha256(), 6, false, true));
        ChainFinding gone = only(ClipChain.check(DEVICE, chain, 1), ChainFinding.Kind.MISSING_FRAMES);
        assertEquals(
                "MISSING at frame 6 (the uplink acknowledged 10 frames including its final frame, the store holds 6)",
                gone.line());
        assertEquals(second.clipId(), gone.clipId());
        assertTrue(gone.failure());
    }

    @Test
    void check_finalFrameAcknowledgedButGone_missingAtFrame() {
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(3, 10));
        ChainedClip second = chain.get(1);
        chain.set(1, Chains.clip(second.clipId(), second.link(), second.headerSha256(), 10, false, true));
        ChainFinding gone = only(ClipChain.check(DEVICE, chain, 1), ChainFinding.Kind.MISSING_FRAMES);
        assertTrue(gone.line().startsWith("MISSING at frame 10 "), gone.line());
    }

    @Test
    void check_truncatedClipWithAllAcknowledgedFrames_fine() {
        // Power loss: the device knew of 4 acknowledged frames when it started the next clip; the store holds 7.
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(3, 10));
        ChainedClip second = chain.get(1);
        chain.set(1, Chains.clip(second.clipId(), second.link(), second.headerSha256(), 7, false, true));
        ChainedClip third = chain.get(2);
        chain.set(
                2,
                Chains.clip(
                        third.clipId(),
                        third.link().toBuilder()
                                .setPrevAcknowledgedFrames(4)
                                .setPrevFinalAcknowledged(false)
                                .build(),
                        third.headerSha256(),
                        10,
                        true,
                        true));
        assertEquals(
                List.of(ChainFinding.Kind.HEAD),
                ClipChain.check(DEVICE, chain, 1).stream()
                        .map(ChainFinding::kind)
                        .toList());
    }

    @Test
    void check_headTruncated_noSuccessorVouches_onlyHead() {
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(3, 10));
        ChainedClip head = chain.get(2);
        chain.set(2, Chains.clip(head.clipId(), head.link(), head.headerSha256(), 2, false, true));
        assertEquals(
                List.of(ChainFinding.Kind.HEAD),
                ClipChain.check(DEVICE, chain, 1).stream()
                        .map(ChainFinding::kind)
                        .toList());
    }

    @Test
    void check_framesNotChecked_noMissingAtFrame() {
        List<ChainedClip> chain = new ArrayList<>(Chains.whole(3, 10));
        ChainedClip second = chain.get(1);
        chain.set(1, Chains.clip(second.clipId(), second.link(), second.headerSha256(), 0, false, false));
        assertEquals(
                List.of(ChainFinding.Kind.HEAD),
                ClipChain.check(DEVICE, chain, 1).stream()
                        .map(ChainFinding::kind)
                        .toList());
    }

    @Test
    void check_successorNamesAClipAtAnotherPosition_chainBroken() {
        List<ChainedClip> whole = Chains.whole(4, 10);
        ChainedClip fourth = whole.get(3);
        ChainLink skipping = fourth.link().toBuilder()
                .setPrevClipId(whole.get(1).clipId())
                .setPrevHeaderSha256(whole.get(1).headerSha256())
                .build();
        List<ChainedClip> chain = List.of(whole.get(0), whole.get(1), Chains.clip(fourth.clipId(), skipping, 10, true));
        ChainFinding broken = only(ClipChain.check(DEVICE, chain, 1), ChainFinding.Kind.CHAIN_BROKEN);
        assertTrue(broken.line().contains("which is at position 2, not 3"), broken.line());
    }

    private static ChainFinding only(List<ChainFinding> findings, ChainFinding.Kind kind) {
        List<ChainFinding> of = findings.stream().filter(f -> f.kind() == kind).toList();
        assertEquals(1, of.size(), findings.toString());
        List<ChainFinding> others = findings.stream()
                .filter(f -> f.kind() != kind && f.kind() != ChainFinding.Kind.HEAD)
                .toList();
        assertEquals(List.of(), others);
        return of.get(0);
    }
}
