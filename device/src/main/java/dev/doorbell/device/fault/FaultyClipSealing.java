package dev.doorbell.device.fault;

import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.seal.v2.FrameFacts;
import dev.doorbell.seal.v2.InsecureSealingFaults;
import java.util.Arrays;

/** A clip sealed by faulty firmware: its counter goes back mid-clip, or its tags are cut short. Not thread-safe. */
final class FaultyClipSealing implements ClipSealing {
    private final ClipSealing clip;
    private final int resetAtSeq;
    private final boolean truncateTag;
    private boolean reset;

    /** {@code resetAtSeq} -1: no reset. */
    FaultyClipSealing(ClipSealing clip, int resetAtSeq, boolean truncateTag) {
        this.clip = clip;
        this.resetAtSeq = resetAtSeq;
        this.truncateTag = truncateTag;
    }

    @Override
    public byte[] headerBytes() {
        return clip.headerBytes();
    }

    @Override
    public long clipId() {
        return clip.clipId();
    }

    @Override
    public int nextSeq() {
        return clip.nextSeq();
    }

    @Override
    public SealedFrame seal(long ptsMicros, byte[] plaintext, boolean last) {
        rewindWhenDue();
        return cut(clip.seal(ptsMicros, plaintext, last));
    }

    @Override
    public SealedFrame seal(FrameFacts facts, byte[] image, boolean last) {
        rewindWhenDue();
        return cut(clip.seal(facts, image, last));
    }

    private void rewindWhenDue() {
        if (!reset && resetAtSeq >= 0 && clip.nextSeq() == resetAtSeq) {
            reset = true;
            InsecureSealingFaults.rewindFrameCounter(clip, 0);
        }
    }

    private SealedFrame cut(SealedFrame frame) {
        if (!truncateTag) {
            return frame;
        }
        byte[] sealed = frame.sealed();
        return new SealedFrame(
                frame.clipId(),
                frame.seq(),
                frame.last(),
                frame.meta(),
                Arrays.copyOf(sealed, sealed.length - FaultPlan.TAG_BYTES_CUT));
    }

    @Override
    public boolean isFinished() {
        return clip.isFinished();
    }

    @Override
    public void abandon() {
        clip.abandon();
    }
}
