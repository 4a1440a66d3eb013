package dev.doorbell.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerNamesTest {
    @Test
    void parse_noExtras_localhostAndLoopbackOnly() {
        ServerNames names = ServerNames.parse(List.of());

        assertEquals(List.of("localhost"), names.dns());
        assertEquals(List.of("127.0.0.1"), names.ips());
    }

    @Test
    void parse_mixedNames_sortedIntoDnsAndIpWithoutDuplicates() {
        ServerNames names =
                ServerNames.parse(List.of("Uplink.Example.org", "10.1.2.3", "localhost", "127.0.0.1", "::1"));

        assertEquals(List.of("localhost", "uplink.example.org"), names.dns());
        assertEquals(List.of("127.0.0.1", "10.1.2.3", "0:0:0:0:0:0:0:1"), names.ips());
    }

    @Test
    void parse_invalidNames_refusedNamingTheName() {
        for (String bad : List.of("under_score", "-lead.example", "300.1.1.1", "1::2::3", "a..b", "")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ServerNames.parse(List.of(bad)));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }
}
