package dev.doorbell.owner.chain;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Hand-made chains of clips as a device makes them: positions 1.., each naming its predecessor. */
final class Chains {
    private Chains() {}

    /** {@code n} clips of {@code frames} frames each, every frame and the final one acknowledged and stored. */
    static List<ChainedClip> whole(int n, int frames) {
        return whole(n, frames, new Random(n * 31L + frames));
    }

    static List<ChainedClip> whole(int n, int frames, Random random) {
        List<ChainedClip> clips = new ArrayList<>();
        ChainedClip previous = null;
        for (int position = 1; position <= n; position++) {
            long clipId = random.nextLong() & Long.MAX_VALUE | 1;
            ChainLink.Builder link = ChainLink.newBuilder().setPosition(position);
            if (previous != null) {
                link.setPrevClipId(previous.clipId())
                        .setPrevHeaderSha256(previous.headerSha256())
                        .setPrevAcknowledgedFrames(frames)
                        .setPrevFinalAcknowledged(true);
            }
            byte[] hash = new byte[32];
            random.nextBytes(hash);
            previous = new ChainedClip(clipId, link.build(), ByteString.copyFrom(hash), frames, true, true);
            clips.add(previous);
        }
        return clips;
    }

    static ChainedClip clip(long clipId, ChainLink link, int frames, boolean complete) {
        byte[] hash = new byte[32];
        new Random(clipId).nextBytes(hash);
        return new ChainedClip(clipId, link, ByteString.copyFrom(hash), frames, complete, true);
    }

    static ChainedClip clip(
            long clipId, ChainLink link, ByteString hash, int frames, boolean complete, boolean framesChecked) {
        return new ChainedClip(clipId, link, hash, frames, complete, framesChecked);
    }

    /** {@code clip} with another link, everything else (its header hash too) unchanged. */
    static ChainedClip withLink(ChainedClip clip, ChainLink link) {
        return new ChainedClip(
                clip.clipId(),
                link,
                clip.headerSha256(),
                clip.verifiedFrames(),
                clip.finalPresent(),
                clip.framesChecked());
    }
}
