package dev.doorbell.conformance;

import static dev.doorbell.conformance.Expect.require;
import static dev.doorbell.conformance.ExpectedErrors.describe;

import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipSealing;
import java.util.ArrayList;
import java.util.List;

/**
 * Cases about clips and frames within one session. Each case finishes the clips it opened (last frame and ClipClose),
 * so that repeated runs do not fill the uplink's open-clip limit for the device.
 */
final class ClipCases {
    private ClipCases() {}

    static List<ConformanceCase> all() {
        return List.of(
                new ConformanceCase(
                        "sequence-gap",
                        "frame 0, then frame 2; then frames 1 and 2 in order",
                        describe(ErrorCode.SEQUENCE_GAP) + " naming seq 2; the session goes on; the clip completes",
                        r -> withClip(r, 3, (s, clip, f) -> {
                            r.sendPersisted(s, f.get(0));
                            s.send(CaseRun.frame(f.get(2)));
                            r.expect.error(s, ErrorCode.SEQUENCE_GAP, clip.clipId(), 2);
                            r.sendPersisted(s, f.get(1));
                            r.sendPersisted(s, f.get(2));
                        })),
                new ConformanceCase(
                        "identical-duplicate",
                        "frame 0, persisted; frame 0 again with the same bytes",
                        "no Error; frame 0 acked again; the clip completes",
                        r -> withClip(r, 2, (s, clip, f) -> {
                            r.sendPersisted(s, f.get(0));
                            s.send(CaseRun.frame(f.get(0)));
                            r.expect.acked(s, clip.clipId(), 1);
                            r.expect.alive(s, 3);
                            r.sendPersisted(s, f.get(1));
                        })),
                new ConformanceCase(
                        "conflicting-duplicate",
                        "frame 0, persisted; frame 0 again with one bit flipped",
                        describe(ErrorCode.FRAME_CONFLICT) + " naming seq 0; nothing overwritten; the clip completes",
                        r -> withClip(r, 2, (s, clip, f) -> {
                            r.sendPersisted(s, f.get(0));
                            byte[] flipped = f.get(0).sealed().clone();
                            flipped[0] ^= 1;
                            s.send(CaseRun.frame(
                                    clip.clipId(), 0, false, f.get(0).meta(), flipped));
                            r.expect.error(s, ErrorCode.FRAME_CONFLICT, clip.clipId(), 0);
                            r.sendPersisted(s, f.get(1));
                        })),
                new ConformanceCase(
                        "oversized-frame",
                        "a frame whose sealed bytes are max_frame_bytes + 1",
                        describe(ErrorCode.FRAME_TOO_LARGE) + " naming seq 0; the session goes on",
                        r -> withClip(r, 1, (s, clip, f) -> {
                            byte[] big = new byte[r.welcome().getMaxFrameBytes() + 1];
                            s.send(CaseRun.frame(
                                    clip.clipId(), 0, true, f.get(0).meta(), big));
                            r.expect.error(s, ErrorCode.FRAME_TOO_LARGE, clip.clipId(), 0);
                            r.sendPersisted(s, f.get(0));
                        })),
                new ConformanceCase(
                        "clip-too-long",
                        "a frame with seq = max_frames_per_clip",
                        describe(ErrorCode.CLIP_TOO_LONG) + "; the session goes on",
                        r -> withClip(r, 1, (s, clip, f) -> {
                            int seq = r.welcome().getMaxFramesPerClip();
                            s.send(CaseRun.frame(
                                    clip.clipId(),
                                    seq,
                                    false,
                                    f.get(0).meta(),
                                    f.get(0).sealed()));
                            r.expect.error(s, ErrorCode.CLIP_TOO_LONG, clip.clipId(), seq);
                            r.sendPersisted(s, f.get(0));
                        })),
                new ConformanceCase(
                        "unknown-clip",
                        "a frame and a ClipClose for a clip never opened",
                        describe(ErrorCode.UNKNOWN_CLIP) + " for each; the session goes on",
                        r -> {
                            RawSession s = r.helloed(r.device());
                            ClipSealing clip = r.newClip(r.device());
                            s.send(CaseRun.frame(r.seal(clip, true)));
                            r.expect.error(s, ErrorCode.UNKNOWN_CLIP, clip.clipId(), 0);
                            s.send(CaseRun.close(clip.clipId(), 1));
                            r.expect.error(s, ErrorCode.UNKNOWN_CLIP, clip.clipId(), -1);
                            r.expect.alive(s, 4);
                        }),
                new ConformanceCase(
                        "clip-conflict",
                        "ClipOpen again for an open clip with other header bytes",
                        describe(ErrorCode.CLIP_CONFLICT) + "; the clip keeps its first header and completes",
                        r -> withClip(r, 1, (s, clip, f) -> {
                            s.send(CaseRun.openWithOtherHeader(clip));
                            r.expect.error(s, ErrorCode.CLIP_CONFLICT, clip.clipId(), -1);
                            s.send(CaseRun.open(clip));
                            r.expect.alive(s, 5);
                            r.sendPersisted(s, f.get(0));
                        })),
                new ConformanceCase(
                        "header-of-other-device",
                        "ClipOpen whose header names the other device",
                        describe(ErrorCode.BAD_HEADER) + "; nothing stored; the session goes on",
                        r -> {
                            RawSession s = r.helloed(r.device());
                            ClipSealing foreign = r.newClip(r.other());
                            s.send(CaseRun.open(foreign));
                            r.expect.error(s, ErrorCode.BAD_HEADER, foreign.clipId(), -1);
                            s.send(CaseRun.frame(r.seal(foreign, true)));
                            r.expect.error(s, ErrorCode.UNKNOWN_CLIP, foreign.clipId(), 0);
                        }),
                new ConformanceCase(
                        "header-clip-id-mismatch",
                        "ClipOpen whose header names another clip id",
                        describe(ErrorCode.BAD_HEADER) + "; the session goes on",
                        r -> {
                            RawSession s = r.helloed(r.device());
                            ClipSealing clip = r.newClip(r.device());
                            long wrongId = clip.clipId() + 1_000_000_000L;
                            s.send(CaseRun.open(clip).toBuilder()
                                    .setClipOpen(CaseRun.open(clip).getClipOpen().toBuilder()
                                            .setClipId(wrongId))
                                    .build());
                            r.expect.error(s, ErrorCode.BAD_HEADER, wrongId, -1);
                            r.expect.alive(s, 6);
                        }),
                new ConformanceCase(
                        "frame-after-last",
                        "a whole clip, closed; then one more frame",
                        describe(ErrorCode.CLIP_CLOSED) + "; the session goes on",
                        r -> {
                            RawSession s = r.helloed(r.device());
                            ClipSealing clip = r.newClip(r.device());
                            s.send(CaseRun.open(clip));
                            List<SealedFrame> f = r.sealAll(clip, 1);
                            r.sendPersisted(s, f.get(0));
                            r.closePersisted(s, clip.clipId(), 1);
                            s.send(CaseRun.frame(
                                    clip.clipId(),
                                    1,
                                    true,
                                    f.get(0).meta(),
                                    f.get(0).sealed()));
                            r.expect.error(s, ErrorCode.CLIP_CLOSED, clip.clipId(), 1);
                            r.expect.alive(s, 7);
                        }),
                new ConformanceCase(
                        "bad-close",
                        "frames 0 and 1 (last), then ClipClose with frame_count 5",
                        describe(ErrorCode.BAD_CLOSE) + "; a correct ClipClose then succeeds",
                        r -> withClip(r, 2, (s, clip, f) -> {
                            r.sendPersisted(s, f.get(0));
                            r.sendPersisted(s, f.get(1));
                            s.send(CaseRun.close(clip.clipId(), 5));
                            r.expect.error(s, ErrorCode.BAD_CLOSE, clip.clipId(), -1);
                        })),
                new ConformanceCase(
                        "too-many-open-clips",
                        "ClipOpen of new clips until the uplink refuses one",
                        describe(ErrorCode.TOO_MANY_OPEN_CLIPS)
                                + " by the (max_open_clips + 1)th; after closing, ClipOpen works",
                        ClipCases::tooManyOpenClips));
    }

    /** Hello, a new clip opened, its frames sealed; runs {@code body}; then completes and closes the clip. */
    private static void withClip(CaseRun r, int frames, ClipBody body) throws Exception {
        RawSession s = r.helloed(r.device());
        ClipSealing clip = r.newClip(r.device());
        s.send(CaseRun.open(clip));
        List<SealedFrame> f = r.sealAll(clip, frames);
        body.run(s, clip, f);
        r.closePersisted(s, clip.clipId(), frames);
    }

    /**
     * Opens clips until one is refused. Clips left open by an earlier, interrupted run count too, so the refusal may
     * come early; it must come by the (max_open_clips + 1)th.
     */
    private static void tooManyOpenClips(CaseRun r) throws Exception {
        RawSession s = r.helloed(r.device());
        Welcome w = r.welcome();
        List<SealedFrame> lasts = new ArrayList<>();
        boolean refused = false;
        for (int i = 0; i <= w.getMaxOpenClips() && !refused; i++) {
            ClipSealing clip = r.newClip(r.device());
            s.send(CaseRun.open(clip));
            s.send(CaseRun.ping(100 + i));
            UplinkMessage m = s.next(r.target().replyTimeout());
            if (m != null && m.hasError()) {
                s.pushBack(m);
                r.expect.error(s, ErrorCode.TOO_MANY_OPEN_CLIPS, clip.clipId(), -1);
                UplinkMessage pong = s.next(r.target().replyTimeout());
                require(
                        pong != null && pong.hasPong(),
                        "after TOO_MANY_OPEN_CLIPS the session must go on (Pong " + (100 + i) + "), got "
                                + (pong == null ? "nothing" : Expect.brief(pong)));
                refused = true;
            } else {
                require(
                        m != null && m.hasPong() && m.getPong().getToken() == 100 + i,
                        "after ClipOpen " + (i + 1)
                                + " expected Pong " + (100 + i) + " or TOO_MANY_OPEN_CLIPS, got "
                                + (m == null ? "nothing" : Expect.brief(m)));
                lasts.add(r.seal(clip, true));
            }
        }
        require(
                refused,
                "the uplink accepted " + lasts.size() + " open clips; max_open_clips is " + w.getMaxOpenClips());
        for (SealedFrame last : lasts) {
            r.sendPersisted(s, last);
            r.closePersisted(s, last.clipId(), 1);
        }
        ClipSealing after = r.newClip(r.device());
        r.openAccepted(s, after, 99);
        r.sendPersisted(s, r.seal(after, true));
        r.closePersisted(s, after.clipId(), 1);
    }

    @FunctionalInterface
    private interface ClipBody {
        void run(RawSession session, ClipSealing clip, List<SealedFrame> frames) throws Exception;
    }
}
