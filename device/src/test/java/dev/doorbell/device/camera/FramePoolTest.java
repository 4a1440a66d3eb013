package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class FramePoolTest {

    @Test
    void next_roundRobin_cyclesThroughEveryFrameInOrder() {
        FramePool pool = FramePool.build(Profile.P240, 8, 5);
        EncodedFrame[] first = new EncodedFrame[5];
        for (int i = 0; i < 5; i++) {
            first[i] = pool.next(i * 100_000L);
            assertEquals(i * 100_000L, first[i].ptsMicros());
        }
        for (int i = 0; i < 5; i++) {
            assertNotSame(first[i].jpeg(), first[(i + 1) % 5].jpeg());
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 5; i++) {
                assertSame(first[i].jpeg(), pool.next(0).jpeg(), "round " + round + " frame " + i);
            }
        }
    }

    @Test
    void build_frames_decodeToProfileSizeAndVaryInSize() throws IOException {
        FramePool pool = FramePool.build(Profile.P480, 8, 12);
        assertEquals(12, pool.size());
        Set<Integer> sizes = new HashSet<>();
        long sum = 0;
        for (int i = 0; i < pool.size(); i++) {
            byte[] jpeg = pool.next(0).jpeg();
            sizes.add(jpeg.length);
            sum += jpeg.length;
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
            assertEquals(640, decoded.getWidth());
            assertEquals(480, decoded.getHeight());
        }
        assertEquals(sum, pool.totalBytes());
        assertTrue(sizes.size() > 1, "sensor noise and motion make frame sizes differ");
        System.out.println("frame pool: " + pool + ", average " + pool.averageFrameBytes() + " bytes");
    }

    @Test
    void shared_sameArguments_sameInstance() {
        assertSame(FramePool.shared(Profile.P240, 1, 3), FramePool.shared(Profile.P240, 1, 3));
        assertNotSame(FramePool.shared(Profile.P240, 1, 3), FramePool.shared(Profile.P240, 2, 3));
    }

    @Test
    void build_sizeZero_refused() {
        assertThrows(IllegalArgumentException.class, () -> FramePool.build(Profile.P240, 1, 0));
    }
}
