package dev.doorbell.device.link;

import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipSealer;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.keys.EpochKey;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * A device's clips on their way up: each clip's header is sealed under a fresh clip key derived from the current
 * epoch key, then every frame is sealed in order and handed to the device's {@link LinkClient}, and the clip is
 * closed after its last frame. The link keeps the sealed bytes until the uplink has them durable and resends those
 * very bytes after a reconnect; it never holds a key. Every device runs this loop: a simulated doorbell's camera,
 * each device of a fleet run, the devices of the fault tests.
 *
 * <p>When the link refuses a header or a frame (its buffer is full under {@link BufferPolicy#BLOCK}, or it is
 * closed), the clip cannot go on in order: it is abandoned (what was queued of it stays queued, unclosed) and the
 * next {@link #open} starts a new clip. One thread at a time calls it.
 */
public final class ClipUploader {
    private final LinkClient link;
    private final SecureRandom random;
    private final SealObserver observer;
    private ClipSealer sealer;

    public ClipUploader(LinkClient link, SecureRandom random) {
        this(link, random, SealObserver.NONE);
    }

    public ClipUploader(LinkClient link, SecureRandom random, SealObserver observer) {
        this.link = Objects.requireNonNull(link, "link");
        this.random = Objects.requireNonNull(random, "random");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /**
     * Starts clip {@code params.clipId()}: seals its header under {@code epochKey} with a fresh salt and queues it.
     * False when the link refused it; no clip is open then. A clip still open is abandoned first.
     */
    public boolean open(EpochKey epochKey, ClipParams params) {
        sealer = ClipSealer.start(epochKey, params, random);
        observer.headerSealed(params.deviceId(), params.clipId(), sealer.headerBytes());
        if (!link.openClip(params.clipId(), sealer.headerBytes())) {
            sealer = null;
            return false;
        }
        return true;
    }

    /** Whether a clip is open: opened, and neither ended by its last frame nor abandoned. */
    public boolean clipOpen() {
        return sealer != null;
    }

    /** The open clip's id. */
    public long clipId() {
        return requireOpen().clipId();
    }

    /** The seq of the open clip's next frame: the number of frames sealed so far. */
    public int nextSeq() {
        return requireOpen().nextSeq();
    }

    /**
     * Seals the open clip's next frame and queues it; after the {@code last} one the clip is closed. Returns the sealed
     * frame, or null when the link refused it: the clip is abandoned then.
     */
    public SealedFrame send(long ptsMicros, byte[] plaintext, boolean last) {
        ClipSealer clip = requireOpen();
        SealedFrame frame = clip.seal(ptsMicros, plaintext, last);
        observer.frameSealed(link.deviceId(), frame, plaintext);
        if (!link.send(frame.clipId(), frame.seq(), last, frame.meta(), frame.sealed())) {
            sealer = null;
            return null;
        }
        if (last) {
            link.closeClip(frame.clipId(), frame.seq() + 1);
            sealer = null;
        }
        return frame;
    }

    public LinkClient link() {
        return link;
    }

    private ClipSealer requireOpen() {
        if (sealer == null) {
            throw new IllegalStateException("device " + link.deviceId() + " has no clip open");
        }
        return sealer;
    }
}
