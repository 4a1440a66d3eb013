package dev.doorbell.device.sim;

import dev.doorbell.device.camera.Camera;
import dev.doorbell.device.camera.CameraConfig;
import dev.doorbell.device.camera.ClipListener;
import dev.doorbell.device.camera.ClipStart;
import dev.doorbell.device.camera.ClipSummary;
import dev.doorbell.device.camera.EncodedFrame;
import dev.doorbell.device.camera.SimClock;
import dev.doorbell.device.link.ClipUploader;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.EpochKeyFile;
import java.security.SecureRandom;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One doorbell: its camera's clips are sealed frame by frame under the current epoch key and handed to the link
 * ({@link ClipUploader}), which keeps them until the uplink has them durable. The device holds only its current
 * epoch key, advances it between clips as the {@link RatchetPolicy} says, and erases the old one (on disk too).
 */
public final class SimulatedDoorbell implements ClipListener {
    private static final Logger log = LoggerFactory.getLogger(SimulatedDoorbell.class);

    private final DeviceDirectory device;
    private final Camera camera;
    private final SimClock clock;
    private final LinkClient link;
    private final RatchetPolicy ratchet;
    private final ClipUploader uploader;
    private final DoorbellCounters counters = new DoorbellCounters();
    private final long startMicros;

    private EpochKey epochKey;
    private long lastAdvanceMicros;
    private int clipsSinceAdvance;
    private long lastClipId;

    public SimulatedDoorbell(
            DeviceDirectory device,
            CameraConfig cameraConfig,
            SimClock clock,
            LinkClient link,
            RatchetPolicy ratchet,
            SecureRandom random,
            SealObserver observer) {
        this.device = device;
        this.clock = clock;
        this.link = link;
        this.ratchet = ratchet;
        this.uploader = new ClipUploader(link, random, observer);
        this.epochKey = EpochKeyFile.read(device.epochKeyFile());
        this.counters.epoch.set(epochKey.epoch());
        this.startMicros = clock.nowMicros();
        this.lastAdvanceMicros = startMicros;
        this.camera = new Camera(cameraConfig, clock, this);
    }

    public String deviceId() {
        return device.deviceId();
    }

    /** The clock's time when this doorbell was made; forced rings are placed relative to it. */
    public long startMicros() {
        return startMicros;
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
        maybeAdvanceEpoch();
        // Clip ids follow the capture time, strictly increasing per device, so a replayed run names its clips the same.
        long clipId = Math.max(start.startTimeUnixMs(), lastClipId + 1);
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
        if (!uploader.open(epochKey, params)) {
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
        SealedFrame sealed = uploader.send(frame.ptsMicros(), frame.jpeg(), last);
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
        clipsSinceAdvance++;
        log.info(
                "device {} clip {} sealed: {}, {} frames, {} bytes, epoch {}, {} more presses, ended {}",
                device.deviceId(),
                String.format("%016x", lastClipId),
                summary.trigger() == Trigger.TRIGGER_RING ? "ring" : "motion",
                summary.frames(),
                summary.bytes(),
                epochKey.epoch(),
                summary.ringsDuringClip(),
                summary.endReason());
    }

    private void maybeAdvanceEpoch() {
        long now = clock.nowMicros();
        if (!ratchet.due(now - lastAdvanceMicros, clipsSinceAdvance)) {
            return;
        }
        int from = epochKey.epoch();
        epochKey = EpochKeyFile.advance(device.epochKeyFile(), epochKey);
        lastAdvanceMicros = now;
        clipsSinceAdvance = 0;
        counters.epoch.set(epochKey.epoch());
        counters.ratchets.incrementAndGet();
        log.info(
                "device {} advanced its key from epoch {} to {}; the old key is erased",
                device.deviceId(),
                from,
                epochKey.epoch());
    }
}
