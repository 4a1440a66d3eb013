package dev.doorbell.conformance;

import static dev.doorbell.conformance.CaseRun.hello;
import static dev.doorbell.conformance.Expect.require;
import static dev.doorbell.conformance.ExpectedErrors.describe;

import dev.doorbell.proto.v1.ClipState;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipSealing;
import java.util.List;

/** Cases across sessions: resuming a clip after a reconnect, and a device reaching for another device's clip. */
final class ResumeCases {
    private ResumeCases() {}

    static List<ConformanceCase> all() {
        return List.of(
                new ConformanceCase(
                        "resume",
                        "frames 0 and 1 persisted; reconnect listing the clip and an unknown one in "
                                + "Hello.open_clips; re-send frame 1; frame 2 (last); ClipClose; reconnect again",
                        "Welcome.clips: the clip known with persisted_frames 2, not closed; the unknown one not known; frame 1 "
                                + "acked again; PERSISTED 3 with closed; then the clip is listed as closed",
                        ResumeCases::resume),
                new ConformanceCase(
                        "other-devices-clip",
                        "the other device stores a clip; this device lists it in "
                                + "Hello.open_clips, sends a frame and a ClipClose for it",
                        "Welcome says not known; " + describe(ErrorCode.UNKNOWN_CLIP)
                                + " for the frame and the close; the "
                                + "other device then completes its clip untouched",
                        ResumeCases::otherDevicesClip));
    }

    private static void resume(CaseRun r) throws Exception {
        ClipSealing clip = r.newClip(r.device());
        List<SealedFrame> f = r.sealAll(clip, 3);
        long unknown = r.newClip(r.device()).clipId();
        RawSession first = r.helloed(r.device());
        first.send(CaseRun.open(clip));
        r.sendPersisted(first, f.get(0));
        r.sendPersisted(first, f.get(1));
        first.close();
        r.note("the device drops the connection and reconnects");

        RawSession second = r.connect(r.device(), "reconnected");
        second.send(hello(r.device().id(), List.of(1), List.of(clip.clipId(), unknown)));
        Welcome w = r.expect.welcome(second, r.device().id());
        require(w.getClipsCount() == 2, "Welcome.clips has " + w.getClipsCount() + " entries for 2 open_clips");
        expectState(w.getClips(0), clip.clipId(), true, 2, false);
        expectState(w.getClips(1), unknown, false, 0, false);
        second.send(CaseRun.frame(f.get(1)));
        r.expect.acked(second, clip.clipId(), 2);
        r.sendPersisted(second, f.get(2));
        r.closePersisted(second, clip.clipId(), 3);
        second.close();
        r.note("the device reconnects once more");

        RawSession third = r.connect(r.device(), "third");
        third.send(hello(r.device().id(), List.of(1), List.of(clip.clipId())));
        expectState(r.expect.welcome(third, r.device().id()).getClips(0), clip.clipId(), true, 3, true);
    }

    private static void otherDevicesClip(CaseRun r) throws Exception {
        RawSession owner = r.helloed(r.other());
        ClipSealing clip = r.newClip(r.other());
        List<SealedFrame> f = r.sealAll(clip, 2);
        owner.send(CaseRun.open(clip));
        r.sendPersisted(owner, f.get(0));

        RawSession intruder = r.connect(r.device(), "device");
        intruder.send(hello(r.device().id(), List.of(1), List.of(clip.clipId())));
        Welcome w = r.expect.welcome(intruder, r.device().id());
        require(w.getClipsCount() == 1, "Welcome.clips has " + w.getClipsCount() + " entries for 1 open_clips");
        expectState(w.getClips(0), clip.clipId(), false, 0, false);
        intruder.send(CaseRun.frame(f.get(1)));
        r.expect.error(intruder, ErrorCode.UNKNOWN_CLIP, clip.clipId(), 1);
        intruder.send(CaseRun.close(clip.clipId(), 2));
        r.expect.error(intruder, ErrorCode.UNKNOWN_CLIP, clip.clipId(), -1);

        r.sendPersisted(owner, f.get(1));
        r.closePersisted(owner, clip.clipId(), 2);
    }

    private static void expectState(ClipState state, long clipId, boolean known, int persisted, boolean closed)
            throws CaseFailure {
        require(
                state.getClipId() == clipId
                        && state.getKnown() == known
                        && state.getPersistedFrames() == persisted
                        && state.getClosed() == closed,
                "Welcome.clips entry for clip " + clipId + ": expected known " + known + ", persisted_frames "
                        + persisted + ", closed " + closed + "; got "
                        + state.toString().replace('\n', ' '));
    }
}
