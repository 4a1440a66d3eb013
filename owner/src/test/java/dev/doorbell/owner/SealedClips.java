package dev.doorbell.owner;

import dev.doorbell.owner.keyring.OwnerKeyring;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipSealer;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.Outcome;
import dev.doorbell.uplink.store.Submission;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Owner keyrings and clips sealed with them, small real JPEGs in each frame, for the reader's tests; and clips
 * stored in a real uplink store, as the uplink stores them.
 */
public final class SealedClips {
    /** A clip as its device sealed it: header bytes and frames. */
    public record Clip(String deviceId, long clipId, byte[] header, List<SealedFrame> frames) {
        /** The clip as far as its first {@code n} frames: a device that lost its link there. */
        Clip firstFrames(int n) {
            return new Clip(deviceId, clipId, header, frames.subList(0, n));
        }

        /** The clip with one bit in the middle of frame {@code seq}'s sealed bytes flipped, as an attacker would. */
        Clip withFrameAltered(int seq) {
            List<SealedFrame> altered = new ArrayList<>(frames);
            SealedFrame f = altered.get(seq);
            byte[] sealed = f.sealed().clone();
            sealed[sealed.length / 2] ^= 0x01;
            altered.set(seq, new SealedFrame(f.clipId(), f.seq(), f.last(), f.meta(), sealed));
            return new Clip(deviceId, clipId, header, altered);
        }
    }

    private SealedClips() {}

    /** A keyring directory under {@code dir} with a fresh root key for each device. */
    static Path keyring(Path dir, String... deviceIds) throws IOException {
        Files.createDirectories(dir);
        for (String deviceId : deviceIds) {
            OwnerKeyring.writeRootKey(dir, RootKey.generate(deviceId, new SecureRandom()));
        }
        return dir;
    }

    /** A whole clip of {@code frames} frames, the last one final. */
    static Clip seal(Path keyring, String deviceId, long clipId, int frames) {
        RootKey root = OwnerKeyring.open(keyring).rootKey(deviceId);
        ClipSealer sealer = ClipSealer.start(
                root.epochKey(0),
                new ClipParams(
                        deviceId, clipId, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG, 64, 48, 10, 1_750_000_000_000L, 0),
                new SecureRandom());
        List<SealedFrame> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            out.add(sealer.seal(i * 100_000L, jpeg(i), i == frames - 1));
        }
        return new Clip(deviceId, clipId, sealer.headerBytes(), out);
    }

    /**
     * Stores the clip's header and frames in {@code store} as the uplink does, each durable before the next; closes
     * it after its last frame when {@code close}.
     */
    public static void upload(DirectoryStore store, Clip clip, boolean close) throws Exception {
        durable(store.openClip(clip.deviceId(), clip.clipId(), clip.header()));
        for (SealedFrame f : clip.frames()) {
            durable(store.appendFrame(clip.deviceId(), f.clipId(), f.seq(), f.last(), f.meta(), f.sealed()));
        }
        if (close) {
            durable(store.closeClip(
                    clip.deviceId(), clip.clipId(), clip.frames().size()));
        }
    }

    private static void durable(Submission s) throws Exception {
        if (s.outcome() != Outcome.ACCEPTED) {
            throw new AssertionError("the store refused: " + s.outcome() + " " + s.detail());
        }
        s.durable().get(10, TimeUnit.SECONDS);
    }

    public static byte[] jpeg(int shade) {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        img.getGraphics().fillRect((shade * 4) % 60, 0, 20, 20);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
