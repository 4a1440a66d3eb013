package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

/** A listener for tests: keeps every clip and checks the listener contract as the calls arrive. */
final class ClipCollector implements ClipListener {
    /** One recorded clip. */
    static final class Clip {
        final ClipStart start;
        final List<EncodedFrame> frames = new ArrayList<>();
        final List<Boolean> lastFlags = new ArrayList<>();
        ClipSummary summary;

        Clip(ClipStart start) {
            this.start = start;
        }

        long lastPts() {
            return frames.get(frames.size() - 1).ptsMicros();
        }
    }

    final List<Clip> clips = new ArrayList<>();
    private Clip open;

    @Override
    public void clipStarted(ClipStart start) {
        assertNull(open, "clipStarted while a clip is open");
        open = new Clip(start);
        clips.add(open);
    }

    @Override
    public void frame(EncodedFrame frame, boolean last) {
        assertNotNull(open, "frame outside a clip");
        if (!open.frames.isEmpty()) {
            assertFalse(open.lastFlags.get(open.lastFlags.size() - 1), "frame after the last frame");
            assertTrue(frame.ptsMicros() > open.lastPts(), "pts must increase");
        } else {
            assertEquals(0, frame.ptsMicros(), "frame 0 has pts 0");
        }
        open.frames.add(frame);
        open.lastFlags.add(last);
    }

    @Override
    public void clipEnded(ClipSummary summary) {
        assertNotNull(open, "clipEnded without a clip");
        assertEquals(open.frames.size(), summary.frames(), "summary frame count");
        long bytes = open.frames.stream().mapToLong(EncodedFrame::size).sum();
        assertEquals(bytes, summary.bytes(), "summary bytes");
        assertEquals(open.start.trigger(), summary.trigger());
        open.summary = summary;
        open = null;
    }

    boolean clipOpen() {
        return open != null;
    }

    List<Clip> finished() {
        return clips.stream().filter(c -> c.summary != null).toList();
    }
}
