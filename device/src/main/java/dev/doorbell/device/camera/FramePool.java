package dev.doorbell.device.camera;

import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed set of pre-encoded frames handed out round-robin, for fleets of thousands of simulated doorbells: a
 * fleet run should spend its CPU on sealing and networking, which is what it measures, not on drawing and JPEG
 * encoding. The frames are consecutive frames of a busy {@link PorchScene}, so sizes vary as real ones do.
 *
 * <p>Thread-safe. Frames share their arrays between all callers: treat them as read-only.
 */
public final class FramePool {
    /** Enough traffic that most pooled frames show someone passing. */
    private static final double POOL_CROSSINGS_PER_MINUTE = 12;

    private static final long POOL_START_MICROS = VirtualSimClock.DEFAULT_START.getEpochSecond() * 1_000_000L;
    private static final Map<String, FramePool> SHARED = new ConcurrentHashMap<>();

    private final Profile profile;
    private final byte[][] frames;
    private final AtomicLong next = new AtomicLong();
    private final long totalBytes;
    private final int largestFrameBytes;

    private FramePool(Profile profile, byte[][] frames) {
        this.profile = profile;
        this.frames = frames;
        long sum = 0;
        int largest = 0;
        for (byte[] f : frames) {
            sum += f.length;
            largest = Math.max(largest, f.length);
        }
        this.totalBytes = sum;
        this.largestFrameBytes = largest;
    }

    /** Renders and encodes {@code size} consecutive frames of the scene of {@code seed}. */
    public static FramePool build(Profile profile, long seed, int size) {
        Objects.requireNonNull(profile, "profile");
        if (size < 1) {
            throw new IllegalArgumentException("a frame pool needs at least one frame, got " + size);
        }
        PorchScene scene = new PorchScene(profile, seed, POOL_CROSSINGS_PER_MINUTE, 0);
        BufferedImage image = scene.newImage();
        byte[][] frames = new byte[size][];
        try (JpegEncoder encoder = JpegEncoder.forProfile(profile)) {
            for (int i = 0; i < size; i++) {
                scene.render(POOL_START_MICROS + profile.frameOffsetMicros(i), image);
                frames[i] = encoder.encode(image);
            }
        }
        return new FramePool(profile, frames);
    }

    /** One pool per (profile, seed, size) per process, built on first use, so a fleet encodes each only once. */
    public static FramePool shared(Profile profile, long seed, int size) {
        return SHARED.computeIfAbsent(profile + "/" + seed + "/" + size, k -> build(profile, seed, size));
    }

    /** The next pooled frame, stamped with {@code ptsMicros}. */
    public EncodedFrame next(long ptsMicros) {
        int i = (int) Math.floorMod(next.getAndIncrement(), (long) frames.length);
        return new EncodedFrame(ptsMicros, frames[i]);
    }

    public Profile profile() {
        return profile;
    }

    public int size() {
        return frames.length;
    }

    public long totalBytes() {
        return totalBytes;
    }

    public long averageFrameBytes() {
        return totalBytes / frames.length;
    }

    /** The largest pooled frame: what a link's buffer must have room for, frame by frame. */
    public int largestFrameBytes() {
        return largestFrameBytes;
    }

    @Override
    public String toString() {
        return "FramePool{" + profile.label() + ", frames=" + frames.length + ", bytes=" + totalBytes + "}";
    }
}
