package dev.doorbell.device.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipOpener;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipSealer;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.testing.Waits;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The device's seal, send and close loop over real TLS to the fake uplink. */
class ClipUploaderTest extends LinkTestBase {
    // The uploader takes any ClipSealing; v1's sealer (kept in tests) lets this test open what it sent with a key it
    // holds, which is all it checks: the loop of seal, send and close. v2 clips are sealed in RecipientListUpdateTest.
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final RootKey ROOT = RootKey.generate(DEVICE, RANDOM);

    private final List<SealedFrame> observed = new ArrayList<>();
    private final List<byte[]> headers = new ArrayList<>();
    private final SealObserver observer = new SealObserver() {
        @Override
        public void headerSealed(String deviceId, long clipId, byte[] headerBytes) {
            headers.add(headerBytes);
        }

        @Override
        public void frameSealed(String deviceId, SealedFrame sealed, byte[] plaintext) {
            observed.add(sealed);
        }
    };

    @Test
    void send_wholeClip_isDurableClosedAndOpensWithTheEpochKey() throws Exception {
        LinkClient link = client();
        ClipUploader uploader = new ClipUploader(link, observer);
        link.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        EpochKey key = ROOT.epochKey(3);

        assertTrue(uploader.open(ClipSealer.start(key, params(41), RANDOM)));
        List<SealedFrame> sent = new ArrayList<>();
        for (int seq = 0; seq < 3; seq++) {
            assertEquals(seq, uploader.nextSeq());
            sent.add(uploader.send(seq * 100_000L, ("frame " + seq).getBytes(), seq == 2));
        }
        link.drain(WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertFalse(uploader.clipOpen(), "the last frame ends the clip");
        assertTrue(up.closedDurably(41), "the clip is closed after its last frame");
        assertEquals(sent.stream().map(f -> ByteString.copyFrom(f.sealed())).toList(), up.durableFrames(41));
        assertEquals(sent, observed, "the observer sees each frame as it is sent");
        ClipVerdict verdict =
                new ClipOpener(ROOT.epochKey(3)).open(DEVICE, 41, headers.get(0), sent.toArray(SealedFrame[]::new));
        assertEquals(ClipVerdict.Status.OK, verdict.status(), verdict.summary());
        assertArrayEquals("frame 2".getBytes(), verdict.frames().get(2).plaintext());
    }

    @Test
    void send_linkRefuses_abandonsTheClipAndTheNextClipStartsAfresh() throws Exception {
        LinkClient link = client(config().buffer(3000, BufferPolicy.BLOCK).build());
        ClipUploader uploader = new ClipUploader(link, observer);
        EpochKey key = ROOT.epochKey(0);
        assertTrue(uploader.open(ClipSealer.start(key, params(51), RANDOM)));

        SealedFrame frame;
        int queued = 0;
        while ((frame = uploader.send(queued, new byte[1000], false)) != null) {
            queued++;
            assertTrue(queued < 10, "a 3000-byte buffer refuses the third or fourth 1000-byte frame");
        }

        assertNull(frame);
        assertFalse(uploader.clipOpen(), "a refused frame abandons its clip");
        assertThrows(IllegalStateException.class, () -> uploader.send(0, new byte[1], true));
        link.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        int persisted = queued;
        Waits.await("the queued frames of clip 51 persisted", WAIT)
                .until(() -> up.durableFrames(51).size() == persisted);
        assertTrue(uploader.open(ClipSealer.start(key, params(52), RANDOM)), "the persisted frames made room");
        assertNotNull(uploader.send(0, new byte[10], true));
        link.drain(WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertFalse(up.closedDurably(51), "an abandoned clip is never closed");
        assertTrue(up.closedDurably(52));
    }

    private static ClipParams params(long clipId) {
        return new ClipParams(
                DEVICE, clipId, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG, 320, 240, 10, 1_764_900_000_000L, 0);
    }
}
