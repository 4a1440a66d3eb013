package dev.doorbell.device.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the link tells the device's chain state, over real TLS to a fake uplink that acks as the real one does. */
class ClipAcknowledgementsTest extends LinkTestBase {
    private record Ack(long clipId, int frames, boolean includesFinal) {}

    private final List<Ack> acks = new CopyOnWriteArrayList<>();

    private LinkClient chainedClient() {
        LinkClient c = new LinkClient(
                config().build(),
                group,
                events,
                RecipientListUpdates.NONE,
                (clipId, frames, includesFinal) -> acks.add(new Ack(clipId, frames, includesFinal)));
        return c;
    }

    @Test
    void persisted_growingCountsPerClip_finalOnlyWithTheLastFrame() throws Exception {
        up.windowFrames = 3;
        TestClip clip = TestClip.of(DEVICE, 21, 10, 500);
        try (LinkClient client = chainedClient()) {
            client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            clip.enqueue(client);
            client.drain(WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertFalse(acks.isEmpty());
        int previous = 0;
        for (Ack a : acks) {
            assertEquals(21, a.clipId());
            assertTrue(a.frames() > previous, "counts only grow: " + acks);
            assertEquals(a.frames() == 10, a.includesFinal(), "final exactly with frame 9: " + acks);
            previous = a.frames();
        }
        assertEquals(new Ack(21, 10, true), acks.get(acks.size() - 1));
    }

    @Test
    void persisted_clipWithoutItsFinalFrame_neverFinal() throws Exception {
        TestClip clip = TestClip.of(DEVICE, 22, 6, 500);
        try (LinkClient client = chainedClient()) {
            client.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(client.openClip(clip.id(), clip.header()));
            for (int seq = 0; seq < 5; seq++) {
                assertTrue(clip.sendFrame(client, seq));
            }
            client.drain(WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertEquals(new Ack(22, 5, false), acks.get(acks.size() - 1));
        assertTrue(acks.stream().noneMatch(Ack::includesFinal), acks.toString());
    }
}
