package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class JpegEncoderTest {
    private static final long T0 = VirtualSimClock.DEFAULT_START.getEpochSecond() * 1_000_000L;

    @Test
    void encode_reusedWriter_completeJpegsOfTheFrameSize() throws IOException {
        PorchScene scene = new PorchScene(Profile.P720, 3, 6, 0);
        try (JpegEncoder encoder = JpegEncoder.forProfile(Profile.P720)) {
            for (int n = 0; n < 3; n++) {
                byte[] jpeg = encoder.encode(scene.render(T0 + n * 66_667L));
                assertEquals((byte) 0xFF, jpeg[0]);
                assertEquals((byte) 0xD8, jpeg[1], "SOI");
                assertEquals((byte) 0xD9, jpeg[jpeg.length - 1], "EOI");
                BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
                assertEquals(1280, decoded.getWidth());
                assertEquals(720, decoded.getHeight());
            }
        }
    }

    @Test
    void encode_sameImageTwice_sameBytes() {
        BufferedImage image = new PorchScene(Profile.P240, 3, 6, 0).render(T0);
        try (JpegEncoder encoder = new JpegEncoder(0.8f)) {
            assertArrayEquals(encoder.encode(image), encoder.encode(image));
        }
    }

    @Test
    void encode_higherQuality_largerOutput() {
        BufferedImage image = new PorchScene(Profile.P480, 3, 6, 0).render(T0);
        try (JpegEncoder low = new JpegEncoder(0.3f);
                JpegEncoder high = new JpegEncoder(0.95f)) {
            assertTrue(high.encode(image).length > low.encode(image).length);
        }
    }

    @Test
    void constructor_qualityOutOfRange_refused() {
        assertThrows(IllegalArgumentException.class, () -> new JpegEncoder(1.5f));
    }
}
