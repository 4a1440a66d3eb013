package dev.doorbell.uplink.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UplinkConfigTest {
    @Test
    void builder_defaults_matchProtocolDocument() {
        UplinkConfig c = UplinkConfig.builder().tlsDirectory(Path.of("tls")).build();
        assertEquals("127.0.0.1", c.host());
        assertEquals(7443, c.port());
        assertEquals(Path.of("tls", "ca-cert.pem"), c.caCert());
        assertEquals(2 * 1024 * 1024 + 4 * 1024, c.maxMessageBytes());
        assertEquals(2 * 1024 * 1024, c.maxFrameBytes());
        assertEquals(100_000, c.maxFramesPerClip());
        assertEquals(16, c.maxOpenClips());
        assertEquals(64, c.windowFrames());
        assertEquals(8 * 1024 * 1024, c.windowBytes());
        assertEquals(Duration.ofSeconds(10), c.heartbeat());
        assertEquals(Duration.ofSeconds(30), c.idleTimeout());
        assertEquals(Duration.ofSeconds(10), c.handshakeDeadline());
        assertEquals(100, c.maxErrors());
        assertEquals(Duration.ofSeconds(10), c.errorWindow());
        assertEquals(Duration.ofSeconds(10), c.errorBackoff());
    }

    @Test
    void build_errorLimitOutOfRange_refusedNamingTheField() {
        UplinkConfig.Builder b = UplinkConfig.builder().insecurePlaintextForDebugging(true);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> b.errorLimit(0, Duration.ofSeconds(10), Duration.ofSeconds(10))
                        .build());
        assertTrue(e.getMessage().startsWith("maxErrors"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> b.errorLimit(100, Duration.ZERO, Duration.ofSeconds(10)).build());
        assertTrue(e.getMessage().startsWith("errorWindow"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> b.errorLimit(100, Duration.ofSeconds(10), Duration.ofDays(50))
                        .build());
        assertTrue(e.getMessage().startsWith("errorBackoff"), e.getMessage());
    }

    @Test
    void build_noTlsFilesAndNotPlaintext_refused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> UplinkConfig.builder().build());
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
    }

    @Test
    void build_tlsFilesAndPlaintext_refused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> UplinkConfig.builder()
                        .tlsDirectory(Path.of("t"))
                        .insecurePlaintextForDebugging(true)
                        .build());
    }

    @Test
    void build_messageLimitBelowFrameLimit_refusedNamingTheField() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> UplinkConfig.builder()
                        .insecurePlaintextForDebugging(true)
                        .maxMessageBytes(1000)
                        .build());
        assertTrue(e.getMessage().startsWith("maxMessageBytes"), e.getMessage());
    }

    @Test
    void build_idleNotLongerThanHeartbeat_refused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> UplinkConfig.builder()
                        .insecurePlaintextForDebugging(true)
                        .heartbeat(Duration.ofSeconds(30))
                        .idleTimeout(Duration.ofSeconds(30))
                        .build());
    }
}
