package dev.doorbell.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strict reader must refuse what a Prometheus server would, or the scrape tests that use it prove nothing. */
class PrometheusTextTest {
    private static final String GOOD = """
            # HELP up_total Things.
            # TYPE up_total counter
            up_total{code="a\\"b"} 3.0
            # TYPE lat_seconds histogram
            lat_seconds_bucket{le="0.1"} 1
            lat_seconds_bucket{le="+Inf"} 2
            lat_seconds_count 2
            lat_seconds_sum 0.3
            # TYPE connected gauge
            connected 5
            """;

    @Test
    void parse_wellFormed_familiesAndValues() {
        Map<String, PrometheusText.Family> families = PrometheusText.parse(GOOD);
        assertEquals("counter", families.get("up_total").type());
        assertEquals("Things.", families.get("up_total").help());
        assertEquals(3.0, families.get("up_total").value("up_total", Map.of("code", "a\"b")));
        assertEquals(2, families.get("lat_seconds").value("lat_seconds_count", Map.of()));
        assertEquals(5, families.get("connected").value("connected", Map.of()));
    }

    @Test
    void parse_malformed_refusedNamingTheProblem() {
        assertRefused("belongs to no TYPE", "stray 1\n");
        assertRefused("not a sample line", "# TYPE a gauge\na{x=\"1\"}\n");
        assertRefused("bad escape", "# TYPE a gauge\na{x=\"\\q\"} 1\n");
        assertRefused("appears twice", "# TYPE a gauge\na 1\na 2\n");
        assertRefused("interleaved", "# TYPE a gauge\n# TYPE b gauge\nb 1\na 1\n");
        assertRefused("a counter below 0", "# TYPE c_total counter\nc_total -1\n");
        assertRefused("no TYPE declared", "# TYPE c counter\nc 1\n");
        assertRefused(
                "not cumulative", "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n");
        assertRefused("no le=\"+Inf\"", "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_count 2\n");
        assertRefused("_count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n");
        assertRefused("newline", "# TYPE a gauge\na 1");
        assertRefused("not a number", "# TYPE a gauge\na one\n");
    }

    private static void assertRefused(String problem, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(text));
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "', got: " + e.getMessage());
    }
}
