package dev.doorbell.fleet.faults;

import dev.doorbell.device.camera.FramePool;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.link.ClipUploader;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkListener;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.SealedFrame;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One device of {@link FaultProxyTest}: seals clips of pooled P240 frames as its pairing says and hands them to
 * its link one frame per tick (the device's own {@link ClipUploader}), and records what it sealed and what the uplink
 * acknowledged PERSISTED.
 */
final class FaultyDoorbell implements LinkListener, SealObserver {
    private final String deviceId;
    private final PairedDevice paired;
    private final FramePool pool;
    private final int framesPerClip;
    private final SecureRandom random = new SecureRandom();
    /** SHA-256 of each sealed frame by "clip/seq"; headers by clip. */
    final Map<String, byte[]> sealed = new ConcurrentHashMap<>();

    final Map<Long, byte[]> headers = new ConcurrentHashMap<>();
    /** Highest PERSISTED count per clip, and any decrease seen (acks are cumulative and never go back). */
    final Map<Long, Integer> persisted = new ConcurrentHashMap<>();

    volatile String ackWentBack;
    private ClipUploader uploader;
    private int tick;

    FaultyDoorbell(DeviceDirectory device, FramePool pool, int framesPerClip) {
        this.deviceId = device.deviceId();
        this.paired = DevicePairing.load(device.path());
        this.pool = pool;
        this.framesPerClip = framesPerClip;
    }

    void attach(LinkClient client) {
        this.uploader = new ClipUploader(client, this);
    }

    /** What the device's link says in Hello and does with a relayed list: the device's own pairing. */
    PairedDevice pairing() {
        return paired;
    }

    LinkClient link() {
        return uploader.link();
    }

    String deviceId() {
        return deviceId;
    }

    /** Seals and sends the next frame; opens a clip at its first frame, and the uploader closes it after its last. */
    void tick() {
        int seq = tick % framesPerClip;
        long clipId = 1000 + tick / framesPerClip;
        Profile p = pool.profile();
        if (seq == 0) {
            require(
                    uploader.open(paired.startClip(
                            new ClipParams(
                                    deviceId,
                                    clipId,
                                    Trigger.TRIGGER_MOTION,
                                    Codec.CODEC_MJPEG,
                                    p.width(),
                                    p.height(),
                                    p.fps(),
                                    1_700_000_000_000L + clipId,
                                    0),
                            List.of(),
                            0,
                            random)),
                    "open clip " + clipId);
        }
        boolean last = seq == framesPerClip - 1;
        SealedFrame f = uploader.send(
                p.frameOffsetMicros(tick), pool.next(p.frameOffsetMicros(tick)).jpeg(), last);
        require(f != null, "send frame " + seq + " of clip " + clipId);
        tick++;
    }

    @Override
    public void headerSealed(String device, long clipId, byte[] headerBytes) {
        headers.put(clipId, headerBytes);
    }

    @Override
    public void frameSealed(String device, SealedFrame frame, byte[] plaintext) {
        sealed.put(frame.clipId() + "/" + frame.seq(), sha256(frame.sealed()));
    }

    @Override
    public void onPersisted(long clipId, int frames) {
        Integer before = persisted.put(clipId, frames);
        if (before != null && before > frames) {
            ackWentBack = "clip " + clipId + " PERSISTED went from " + before + " to " + frames;
        }
    }

    private void require(boolean accepted, String what) {
        if (!accepted) {
            throw new IllegalStateException("link of " + deviceId + " refused to " + what);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
