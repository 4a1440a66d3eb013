package dev.doorbell.seal;

import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.keys.EpochKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** Seals whole clips for the seal tests, with plaintexts drawn from the given (test) randomness. */
final class TestClips {
    static final String DEVICE = "front-door";

    private TestClips() {}

    record Clip(byte[] header, List<SealedFrame> frames, List<byte[]> plaintexts) {
        List<StoredFrameBytes> stored() {
            List<StoredFrameBytes> out = new ArrayList<>();
            frames.forEach(f -> out.add(f.toStored()));
            return out;
        }
    }

    static ClipParams params(String deviceId, long clipId) {
        return new ClipParams(
                deviceId, clipId, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG, 640, 480, 15, 1_700_000_000_000L, 4_000);
    }

    static Clip seal(EpochKey key, long clipId, SecureRandom rnd, GcmProvider provider, int... sizes) {
        ClipSealer sealer = ClipSealer.start(key, params(key.deviceId(), clipId), rnd, provider);
        List<SealedFrame> frames = new ArrayList<>();
        List<byte[]> plaintexts = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] plaintext = new byte[sizes[i]];
            rnd.nextBytes(plaintext);
            plaintexts.add(plaintext);
            frames.add(sealer.seal(i * 66_666L, plaintext, i == sizes.length - 1));
        }
        return new Clip(sealer.headerBytes(), frames, plaintexts);
    }

    static Clip seal(EpochKey key, long clipId, SecureRandom rnd, int... sizes) {
        return seal(key, clipId, rnd, GcmProvider.JCA, sizes);
    }
}
