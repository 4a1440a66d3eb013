package dev.doorbell.device.camera;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated doorbell camera: renders the porch at the profile's frame rate on the given clock, detects motion,
 * encodes JPEG and records clips, which go to the listener on the thread that calls {@link #runFor(Duration)}.
 *
 * <p>Frame n is captured at the camera's start time plus n frame intervals, exactly, so a run on a
 * {@link VirtualSimClock} is reproducible; on a real clock a camera that falls more than a frame behind skips the
 * frame slots it missed (counted as dropped) rather than drifting.
 */
public final class Camera {
    private static final Logger log = LoggerFactory.getLogger(Camera.class);

    private final CameraConfig config;
    private final SimClock clock;
    private final PorchScene scene;
    private final MotionDetector detector;
    private final JpegEncoder encoder;
    private final RingSchedule rings;
    private final ClipRecorder recorder;
    private final BufferedImage image;
    private static final Duration VISITOR_QUIET_MARGIN = Duration.ofSeconds(2);
    private static final long SCENE_EPOCH_MICROS = VirtualSimClock.DEFAULT_START.toEpochMilli() * 1000;

    private final long originMicros;
    private final Object lock = new Object();

    private volatile boolean stopRequested;
    private boolean running;
    private boolean closed;
    private long nextFrame;
    private long framesCaptured;
    private long framesDropped;
    private long motionFrames;
    private long clipsStarted;
    private double lastScore;

    public Camera(CameraConfig config, SimClock clock, ClipListener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        Profile profile = config.profile();
        // One set of visitors for the picture and the button, so that every press is by someone the frames show.
        Visitors visitors = new Visitors(config.seed(), config.ringRatePerHour());
        this.scene = new PorchScene(
                profile, config.seed(), config.crossingRatePerMinute(), config.cloudsPerHour(), visitors);
        this.detector = new MotionDetector(config.motion());
        this.encoder = JpegEncoder.forProfile(profile);
        this.originMicros = clock.nowMicros();
        this.rings = new RingSchedule(visitors, originMicros, SCENE_EPOCH_MICROS - originMicros);
        this.recorder = new ClipRecorder(
                profile,
                config.preRoll(),
                config.postRoll(),
                config.maxClip(),
                new LoggingListener(Objects.requireNonNull(listener, "listener")));
        this.image = scene.newImage();
    }

    /**
     * Captures frames for {@code duration} of clock time from the next frame slot on, then returns; a clip in
     * progress stays open, so that a later call continues it. Returns early after {@link #stop()}.
     */
    public void runFor(Duration duration) {
        synchronized (lock) {
            if (running) {
                if (stopRequested) {
                    return;
                }
                throw new IllegalStateException("camera " + config.deviceId() + " is already running");
            }
            running = true;
        }
        try {
            long end = Math.max(clock.nowMicros(), frameTime(nextFrame)) + duration.toNanos() / 1_000L;
            while (!stopRequested && frameTime(nextFrame) < end) {
                clock.sleepUntilMicros(frameTime(nextFrame));
                if (stopRequested || Thread.currentThread().isInterrupted()) {
                    break;
                }
                skipMissedSlots();
                capture(frameTime(nextFrame));
                nextFrame++;
            }
        } finally {
            release();
        }
    }

    /**
     * Gives up the running slot, first ending the clip when a stop came in. Checked under the lock, so that a stop
     * racing with the end of a run is handled by exactly one of the two threads.
     */
    private void release() {
        boolean finish;
        synchronized (lock) {
            finish = stopRequested && !closed;
            if (!finish) {
                running = false;
            }
        }
        if (finish) {
            try {
                shutDown();
            } finally {
                synchronized (lock) {
                    running = false;
                }
            }
        }
    }

    /**
     * Stops the camera for good. A clip in progress ends with its final frame marked last: at once when the camera
     * is not running, else on the running thread before {@link #runFor(Duration)} returns. The listener is never
     * called with the camera's lock held, so a listener may block (on a full uplink window, say) without blocking
     * a thread that calls stop.
     */
    public void stop() {
        stopRequested = true;
        synchronized (lock) {
            if (running) {
                return;
            }
            running = true;
        }
        release();
    }

    /** Only by the thread that holds the running slot. */
    private void shutDown() {
        recorder.finish();
        synchronized (lock) {
            closed = true;
        }
        encoder.close();
    }

    /**
     * Sends a visitor to the door who presses the bell at {@code micros} of the clock, after standing still there for
     * the post-roll, the pre-roll and a margin for the detector to settle: their walk up is a motion clip that has
     * ended by then, and the press starts a ring clip whose whole pre-roll shows them at the bell (unless something
     * else keeps the camera recording, or the camera started less than a pre-roll before).
     */
    public void visitorPressesAt(long micros) {
        rings.visitorPressesAt(micros, config.postRoll().plus(config.preRoll()).plus(VISITOR_QUIET_MARGIN));
    }

    /**
     * The doorbell button, pressed by the scene's visitors; {@code ringSchedule().pressAt(time)} forces a press with
     * nobody in view (a button test, say).
     */
    public RingSchedule ringSchedule() {
        return rings;
    }

    public CameraConfig config() {
        return config;
    }

    /** Counters, consistent with each other; safe to read from any thread. */
    public CameraStats stats() {
        synchronized (lock) {
            return new CameraStats(framesCaptured, framesDropped, motionFrames, clipsStarted, lastScore);
        }
    }

    private long frameTime(long n) {
        return originMicros + config.profile().frameOffsetMicros(n);
    }

    private void skipMissedSlots() {
        long now = clock.nowMicros();
        long skipped = 0;
        while (frameTime(nextFrame + 1) <= now) {
            nextFrame++;
            skipped++;
        }
        if (skipped > 0) {
            synchronized (lock) {
                framesDropped += skipped;
            }
        }
    }

    private void capture(long timeMicros) {
        // The scene runs on its own timeline from a fixed instant, so that a seed replays the same porch on any clock.
        long sceneMicros = SCENE_EPOCH_MICROS + (timeMicros - originMicros);
        scene.render(sceneMicros, timeMicros, image);
        boolean motion = detector.update(image);
        double score = detector.score();
        byte[] jpeg = encoder.encode(image);
        List<Long> presses = rings.pressTimesUntil(timeMicros);
        synchronized (lock) {
            framesCaptured++;
            motionFrames += motion ? 1 : 0;
            lastScore = score;
        }
        recorder.accept(timeMicros, jpeg, motion, permille(score), presses);
    }

    private static int permille(double fraction) {
        return (int) Math.max(0, Math.min(1000, Math.round(fraction * 1000)));
    }

    /** Logs clip boundaries with ids and sizes only, then passes everything on. */
    private final class LoggingListener implements ClipListener {
        private final ClipListener next;

        LoggingListener(ClipListener next) {
            this.next = next;
        }

        @Override
        public void clipStarted(ClipStart start) {
            synchronized (lock) {
                clipsStarted++;
            }
            log.debug(
                    "camera {}: clip started, trigger {}, pre-roll {} ms",
                    config.deviceId(),
                    start.trigger(),
                    start.preRollMs());
            next.clipStarted(start);
        }

        @Override
        public void frame(EncodedFrame frame, boolean last) {
            next.frame(frame, last);
        }

        @Override
        public void clipEnded(ClipSummary summary) {
            log.debug(
                    "camera {}: clip ended ({}), {} frames, {} bytes, {} ms, rings during clip {}",
                    config.deviceId(),
                    summary.endReason(),
                    summary.frames(),
                    summary.bytes(),
                    summary.duration().toMillis(),
                    summary.ringsDuringClip());
            next.clipEnded(summary);
        }
    }
}
