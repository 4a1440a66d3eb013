package dev.doorbell.seal;

import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the opener found in one stored clip (docs/FORMAT.md §4, "What the opener reports"): OK, TRUNCATED (every
 * stored frame verified but the final one is missing), TAMPERED (the first problem, named, with the frames that
 * verified before it), or DAMAGED (docs/FORMAT.md §6: every stored frame verified, but the header, frames or the
 * final frame are missing where the store reader found a damaged range or a missing or shortened segment).
 */
public final class ClipVerdict {
    public enum Status {
        OK,
        TRUNCATED,
        TAMPERED,
        DAMAGED
    }

    private final Status status;
    private final ClipHeader header;
    private final OptionalInt failedSeq;
    private final String reason;
    private final List<OpenedFrame> frames;
    private final Optional<ClipInfo> info;

    private ClipVerdict(
            Status status,
            ClipHeader header,
            ClipInfo opened,
            OptionalInt failedSeq,
            String reason,
            List<OpenedFrame> frames) {
        this.status = status;
        this.header = header;
        this.failedSeq = failedSeq;
        this.reason = reason;
        this.frames = List.copyOf(frames);
        this.info = opened != null ? Optional.of(opened) : publicInfo(header);
    }

    private ClipVerdict(
            Status status, ClipHeader header, OptionalInt failedSeq, String reason, List<OpenedFrame> frames) {
        this(status, header, null, failedSeq, reason, frames);
    }

    static ClipVerdict ok(ClipHeader header, ClipInfo info, List<OpenedFrame> frames) {
        return new ClipVerdict(Status.OK, header, info, OptionalInt.empty(), "", frames);
    }

    static ClipVerdict truncated(ClipHeader header, ClipInfo info, List<OpenedFrame> frames) {
        return new ClipVerdict(Status.TRUNCATED, header, info, OptionalInt.empty(), "no final frame", frames);
    }

    /**
     * A problem with the header itself, {@code TAMPERED at header}: no frame is opened. {@code reason} starts with a
     * keyword of docs/FORMAT.md §4 or §15.
     */
    public static ClipVerdict badHeader(ClipHeader header, String reason) {
        return new ClipVerdict(Status.TAMPERED, header, OptionalInt.empty(), reason, List.of());
    }

    static ClipVerdict tampered(
            ClipHeader header, ClipInfo info, int failedSeq, String reason, List<OpenedFrame> verified) {
        return new ClipVerdict(Status.TAMPERED, header, info, OptionalInt.of(failedSeq), reason, verified);
    }

    /** Frames from {@code firstMissingSeq} on, or some of them, may lie in a hole of the store; the rest verified. */
    static ClipVerdict damaged(
            ClipHeader header, ClipInfo info, int firstMissingSeq, String reason, List<OpenedFrame> verified) {
        return new ClipVerdict(Status.DAMAGED, header, info, OptionalInt.of(firstMissingSeq), reason, verified);
    }

    /**
     * What happened, for v1 and v2 built from the header's public fields; empty for a v3 clip whose sealed info was
     * not opened (its header was refused) and when there is no header.
     */
    private static Optional<ClipInfo> publicInfo(ClipHeader header) {
        if (header == null || (header.getFormatVersion() != 1 && header.getFormatVersion() != 2)) {
            return Optional.empty();
        }
        return Optional.of(ClipInfo.newBuilder()
                .setTriggerValue(header.getTriggerValue())
                .setCodecValue(header.getCodecValue())
                .setWidth(header.getWidth())
                .setHeight(header.getHeight())
                .setFps(header.getFps())
                .setStartTimeUnixMs(header.getStartTimeUnixMs())
                .setPreRollMs(header.getPreRollMs())
                .build());
    }

    /**
     * A header the store reader refuses before any key is used (a second clip_open record, or one stored after the
     * clip's frames): TAMPERED at header with the reader's reason, which starts with a §4 keyword.
     */
    public static ClipVerdict refusedHeader(String reason) {
        return new ClipVerdict(Status.TAMPERED, null, OptionalInt.empty(), reason, List.of());
    }

    /** Frames stored without a header: DAMAGED when the header may lie in a hole of the store, else TAMPERED. */
    static ClipVerdict noHeader(boolean inHole, String reason) {
        return new ClipVerdict(inHole ? Status.DAMAGED : Status.TAMPERED, null, OptionalInt.empty(), reason, List.of());
    }

    /**
     * The verdict on frames stored without a header (docs/FORMAT.md §4 step 0, §6): DAMAGED at header when
     * {@code holes} says the header may lie in a hole of the store, else TAMPERED at header; "no header" either way.
     */
    public static ClipVerdict noHeaderStored(
            String storedDeviceId, long storedClipId, int framesStored, ClipHoles holes) {
        String where = "device " + storedDeviceId + " clip " + Long.toUnsignedString(storedClipId) + ", " + framesStored
                + " frames stored";
        return holes.header() != null
                ? noHeader(true, "no header (its clip_open record may be in " + holes.header() + "; " + where + ")")
                : noHeader(false, "no header (no clip_open record stored; " + where + ")");
    }

    public Status status() {
        return status;
    }

    /**
     * What happened (trigger, codec, size, start time, pre-roll, padding, ring presses), whatever the format: the
     * opened ClipInfo of a v3 clip, or one built from the public header of a v1 or v2 clip (no padding, no ring
     * presses). Empty when there is no header, or a v3 header was refused before its info was opened.
     */
    public Optional<ClipInfo> info() {
        return info;
    }

    /** The parsed header, or null if the header bytes were not a ClipHeader. */
    public ClipHeader header() {
        return header;
    }

    /**
     * The frame at which a TAMPERED clip fails, or the first frame a DAMAGED clip lacks; empty when the header fails,
     * and for OK and TRUNCATED.
     */
    public OptionalInt failedSeq() {
        return failedSeq;
    }

    /** Why the clip is not OK; "" when it is. Starts with one of the fixed keywords of docs/FORMAT.md §4. */
    public String reason() {
        return status == Status.OK ? "" : reason;
    }

    /** The fixed keyword that starts the reason (docs/FORMAT.md §4), e.g. "frame missing"; "" for OK. */
    public String keyword() {
        String r = reason();
        int details = r.indexOf(" (");
        return details < 0 ? r : r.substring(0, details);
    }

    /**
     * The verified frames in seq order; for TAMPERED, those verified before the failure; for DAMAGED, every stored
     * frame (each one verified) around the missing ones.
     */
    public List<OpenedFrame> frames() {
        return frames;
    }

    public boolean isOk() {
        return status == Status.OK;
    }

    /** One line, e.g. "OK 42 frames" or "TAMPERED at frame 5: authentication failed (...)". */
    public String summary() {
        return switch (status) {
            case OK -> "OK " + frames.size() + " frames";
            case TRUNCATED -> "TRUNCATED after " + frames.size() + " verified frames (no final frame)";
            default ->
                status + " at " + (failedSeq.isPresent() ? "frame " + failedSeq.getAsInt() : "header") + ": " + reason;
        };
    }

    @Override
    public String toString() {
        return summary();
    }
}
