package dev.doorbell.device.sim;

import dev.doorbell.device.camera.Camera;
import dev.doorbell.device.camera.CameraConfig;
import dev.doorbell.device.camera.ClipListener;
import dev.doorbell.device.camera.ClipStart;
import dev.doorbell.device.camera.ClipSummary;
import dev.doorbell.device.camera.EncodedFrame;
import dev.doorbell.device.camera.SimClock;
import dev.doorbell.device.chain.ChainStateException;
import dev.doorbell.device.link.ClipUploader;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipIds;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.seal.v2.FrameFacts;
import dev.doorbell.seal.v2.Padding;
import java.security.SecureRandom;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One paired doorbell: each of its camera's clips gets a random clip id, a fresh clip key, wrapped to the recipients
 * of the owner-signed list in use when the clip starts, and a header signed with the device's own key ({@link
 * PairedDevice}), in which what happened (trigger, times, presses) is sealed; its frames are sealed in order with
 * what the camera knew of each (capture time, motion score, press) and handed to the link ({@link ClipUploader}),
 * which keeps them until the uplink has them durable. The clip key is erased after the clip's final frame: the doorbell keeps nothing that opens a finished
 * clip. A newer list relayed by the uplink is taken by the {@link PairedDevice} and used from the next clip on.
 */
public final class SimulatedDoorbell implements ClipListener {
    private static final Logger log = LoggerFactory.getLogger(SimulatedDoorbell.class);

    private final PairedDevice device;
    private final Camera camera;
    private final LinkClient link;
    private final SecureRandom random;
    private final int padTo;
    private final ClipUploader uploader;
    private final DoorbellCounters counters = new DoorbellCounters();
    private final long startMicros;

    private long lastClipId;
    private long lastListVersion;

    /**
     * {@code link} must have been made with {@code device} as its recipient lists, so that relayed lists reach it;
     * {@code padTo} is the frame bucket of every clip (0 for none, else as {@code Padding.check}).
     */
    public SimulatedDoorbell(
            PairedDevice device,
            CameraConfig cameraConfig,
            SimClock clock,
            LinkClient link,
            SecureRandom random,
            int padTo,
            SealObserver observer) {
        this.device = device;
        this.link = link;
        this.random = random;
        this.padTo = Padding.check(padTo);
        this.uploader = new ClipUploader(link, observer);
        this.startMicros = clock.nowMicros();
        this.camera = new Camera(cameraConfig, clock, this);
    }

    public String deviceId() {
        return device.deviceId();
    }

    /** The clock's time when this doorbell was made; forced rings are placed relative to it. */
    public long startMicros() {
        return startMicros;
    }

    public PairedDevice device() {
        return device;
    }

    public Camera camera() {
        return camera;
    }

    public LinkClient link() {
        return link;
    }

    DoorbellCounters counters() {
        return counters;
    }

    /** Runs the camera on the calling thread for {@code duration} of the clock's time, then ends any clip. */
    public void run(Duration duration) {
        camera.runFor(duration);
        camera.stop();
    }

    @Override
    public void clipStarted(ClipStart start) {
        // Random, so that the id the uplink sees says nothing about when the clip was recorded; the capture time is
        // sealed in the clip info.
        long clipId = ClipIds.random(random);
        lastClipId = clipId;
        ClipParams params = new ClipParams(
                device.deviceId(),
                clipId,
                start.trigger(),
                Codec.CODEC_MJPEG,
                start.width(),
                start.height(),
                start.fps(),
                start.startTimeUnixMs(),
                start.preRollMs());
        counters.clips.incrementAndGet();
        counters.openClips.incrementAndGet();
        if (start.trigger() == Trigger.TRIGGER_RING) {
            counters.ringClips.incrementAndGet();
        }
        lastListVersion = device.heldVersion();
        counters.listVersion.set(lastListVersion);
        ClipSealing clip;
        try {
            clip = device.startClip(params, start.ringUnixMs(), padTo, random);
        } catch (ChainStateException e) {
            // Not started: its frames are refused as those of a clip the link refused.
            uploader.abandon();
            log.error("{}", e.getMessage());
            counters.framesRefused.incrementAndGet();
            return;
        }
        if (!uploader.open(clip)) {
            counters.framesRefused.incrementAndGet();
        }
    }

    /** Seals the frame and queues it; the last one closes the clip. A clip the link refused gets no more frames. */
    @Override
    public void frame(EncodedFrame frame, boolean last) {
        if (!uploader.clipOpen()) {
            counters.framesRefused.incrementAndGet();
            return;
        }
        SealedFrame sealed = uploader.send(
                new FrameFacts(frame.ptsMicros(), frame.motionPermille(), frame.ringPressed()), frame.jpeg(), last);
        if (sealed == null) {
            counters.framesRefused.incrementAndGet();
            return;
        }
        counters.framesSealed.incrementAndGet();
        counters.sealedBytes.addAndGet(sealed.sealed().length);
    }

    @Override
    public void clipEnded(ClipSummary summary) {
        counters.openClips.decrementAndGet();
        counters.ringsDuringClips.addAndGet(summary.ringsDuringClip());
        log.info(
                "device {} clip {} sealed: {}, {} frames, {} bytes, recipient list {}, {} more presses, ended {}",
                device.deviceId(),
                String.format("%016x", lastClipId),
                summary.trigger() == Trigger.TRIGGER_RING ? "ring" : "motion",
                summary.frames(),
                summary.bytes(),
                lastListVersion,
                summary.ringsDuringClip(),
                summary.endReason());
    }
}
