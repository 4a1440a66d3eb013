package dev.doorbell.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogCaptureTest {
    private static final Logger LOG = LoggerFactory.getLogger("dev.doorbell.testing.LogCaptureTest");

    @Test
    void lines_whileOpen_capturedInOrderAndNothingAfterClose() {
        LogCapture capture = new LogCapture();
        try (capture) {
            LOG.info("device {} connected", "dev-a");
            LOG.error("store {} failed", "s1");
        }
        LOG.error("after close");
        assertEquals(List.of("INFO device dev-a connected", "ERROR store s1 failed"), capture.lines());
        assertEquals(List.of("store s1 failed"), capture.errors());
        assertEquals(List.of("device dev-a connected", "store s1 failed"), capture.messages());
    }
}
