package dev.doorbell.device.link;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LinkConfigTest {

    @Test
    void build_noTlsAndNoInsecureChoice_refused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LinkConfig.builder("127.0.0.1", 7000, "cam-1").build());
        assertTrue(e.getMessage().contains("insecurePlaintext"), e.getMessage());
    }

    @Test
    void build_insecurePlaintext_hasNoSslContext() {
        LinkConfig config = LinkConfig.builder("127.0.0.1", 7000, "cam-1")
                .insecurePlaintext()
                .build();
        assertTrue(config.insecurePlaintext());
        assertNull(config.sslContext());
    }

    @Test
    void build_invalidDeviceId_refused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> LinkConfig.builder("127.0.0.1", 7000, "Cam_1")
                        .insecurePlaintext()
                        .build());
    }

    @Test
    void build_backoffMaxBelowInitial_refused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> LinkConfig.builder("127.0.0.1", 7000, "cam-1")
                        .insecurePlaintext()
                        .backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))
                        .build());
    }
}
