package dev.doorbell.device.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.Waits;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The outbox bound while the uplink is unreachable: the client is not started until the buffer is full. */
class LinkClientBufferTest extends LinkTestBase {

    @Test
    void dropOldestClip_bufferFull_dropsTheWholeOldestClipAndCountsIt() throws Exception {
        TestClip oldest = TestClip.of(DEVICE, 31, 4, 1000);
        TestClip newer = TestClip.of(DEVICE, 32, 4, 1000);
        LinkClient client =
                client(config().buffer(8000, BufferPolicy.DROP_OLDEST_CLIP).build());
        oldest.enqueue(client);
        newer.enqueue(client);

        long kept = newer.header().length
                + newer.frameCost(0)
                + newer.frameCost(1)
                + newer.frameCost(2)
                + newer.frameCost(3);
        // The entry points hop to the event loop: wait until every enqueue has been processed there.
        Waits.await("the oldest clip dropped and only the newer one kept", WAIT)
                .until(() ->
                        client.stats().droppedClips() == 1 && client.stats().bufferedBytes() == kept);
        client.start();
        client.drain(WAIT).get();

        assertEquals(List.of(31L), events.droppedClips);
        assertTrue(up.session(0).stream().noneMatch(m -> m.toString().contains("clip_id: 31")), "clip 31 was sent");
        assertEquals(List.of(), up.durableFrames(31));
        assertEquals(newer.sealedAsByteStrings(), up.durableFrames(32));
        assertTrue(up.closedDurably(32));
        assertEquals(0, client.stats().bufferedBytes());
    }

    @Test
    void dropOldestClip_singleClipLargerThanBuffer_dropsItWholeAndDiscardsItsLaterFrames() throws Exception {
        TestClip huge = TestClip.of(DEVICE, 33, 10, 1000);
        LinkClient client =
                client(config().buffer(5000, BufferPolicy.DROP_OLDEST_CLIP).build());
        huge.enqueue(client);

        Waits.await("the clip dropped and its frames discarded", WAIT)
                .until(() ->
                        client.stats().droppedClips() == 1 && client.stats().bufferedBytes() == 0);
        client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        client.drain(WAIT).get();
        assertTrue(up.session(0).stream().noneMatch(m -> m.hasFrame() || m.hasClipOpen()));
    }

    @Test
    void block_bufferFull_refusesNewDataUntilSpaceIsPersisted() throws Exception {
        TestClip clip = TestClip.of(DEVICE, 34, 5, 1000);
        LinkClient client = client(config().buffer(5000, BufferPolicy.BLOCK).build());
        assertTrue(client.openClip(34, clip.header()));
        for (int seq = 0; seq < 4; seq++) {
            assertTrue(clip.sendFrame(client, seq));
        }

        assertFalse(clip.sendFrame(client, 4));
        long held =
                clip.header().length + clip.frameCost(0) + clip.frameCost(1) + clip.frameCost(2) + clip.frameCost(3);
        assertEquals(held, client.stats().bufferedBytes());

        client.start();
        client.drain(WAIT).get();
        assertEquals(clip.header().length, client.stats().bufferedBytes(), "only the header of the open clip is kept");
        assertTrue(clip.sendFrame(client, 4));
        client.closeClip(34, 5);
        client.drain(WAIT).get();

        assertEquals(clip.sealedAsByteStrings(), up.durableFrames(34));
        assertTrue(up.closedDurably(34));
        assertEquals(0, client.stats().bufferedBytes());
        assertEquals(0, client.stats().droppedClips());
    }
}
