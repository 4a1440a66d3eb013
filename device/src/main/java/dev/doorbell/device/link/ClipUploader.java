package dev.doorbell.device.link;

import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.ClipSealing;
import dev.doorbell.seal.v2.FrameFacts;
import java.util.Objects;

/**
 * A device's clips on their way up: each clip comes as a {@link ClipSealing} that holds the clip's key (a v2 clip:
 * fresh, wrapped to the recipients, the header signed by the device), its header is queued, then every frame is
 * sealed in order and handed to the device's {@link LinkClient}, and the clip is closed after its last frame, when
 * the sealer has erased the clip's key. The link keeps the sealed bytes until the uplink has them durable and resends those
 * very bytes after a reconnect; it never holds a key. Every device runs this loop: a simulated doorbell's camera,
 * each device of a fleet run, the devices of the fault tests.
 *
 * <p>When the link refuses a header or a frame (its buffer is full under {@link BufferPolicy#BLOCK}, or it is
 * closed), the clip cannot go on in order: it is abandoned (what was queued of it stays queued, unclosed) and the
 * next {@link #open} starts a new clip. One thread at a time calls it.
 */
public final class ClipUploader {
    private final LinkClient link;
    private final SealObserver observer;
    private ClipSealing sealer;

    public ClipUploader(LinkClient link) {
        this(link, SealObserver.NONE);
    }

    public ClipUploader(LinkClient link, SealObserver observer) {
        this.link = Objects.requireNonNull(link, "link");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /**
     * Starts the clip that {@code clip} seals (made by the device just now, with its header) and queues its header.
     * False when the link refused it; no clip is open then. A clip still open is abandoned first.
     */
    public boolean open(ClipSealing clip) {
        Objects.requireNonNull(clip, "clip");
        abandon();
        sealer = clip;
        observer.headerSealed(link.deviceId(), clip.clipId(), clip.headerBytes());
        if (!link.openClip(clip.clipId(), clip.headerBytes())) {
            abandon();
            return false;
        }
        return true;
    }

    /** Ends the open clip where it is, if one is open: its sealer erases the clip's key. */
    public void abandon() {
        if (sealer != null) {
            sealer.abandon();
            sealer = null;
        }
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

    /** {@link #send(FrameFacts, byte[], boolean)} of a frame whose only known fact is its capture time. */
    public SealedFrame send(long ptsMicros, byte[] plaintext, boolean last) {
        return send(new FrameFacts(ptsMicros, 0, false), plaintext, last);
    }

    /**
     * Seals the open clip's next frame with what the camera knows about it ({@code facts}: sealed with the image in
     * format v3) and queues it; after the {@code last} one the clip is closed. Returns the sealed frame, or null when
     * the link refused it: the clip is abandoned then.
     */
    public SealedFrame send(FrameFacts facts, byte[] plaintext, boolean last) {
        ClipSealing clip = requireOpen();
        SealedFrame frame = clip.seal(facts, plaintext, last);
        observer.frameSealed(link.deviceId(), frame, plaintext);
        if (!link.send(frame.clipId(), frame.seq(), last, frame.meta(), frame.sealed())) {
            abandon();
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

    private ClipSealing requireOpen() {
        if (sealer == null) {
            throw new IllegalStateException("device " + link.deviceId() + " has no clip open");
        }
        return sealer;
    }
}
