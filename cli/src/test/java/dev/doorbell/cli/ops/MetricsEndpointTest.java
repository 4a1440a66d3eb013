package dev.doorbell.cli.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyz_followsTheSupplier_503WithTheReason() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder()
                .name("doorbell_test_events")
                .help("events")
                .register(registry)
                .inc(3);
        AtomicReference<MetricsEndpoint.Readiness> readiness = new AtomicReference<>(MetricsEndpoint.Readiness.ok());
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, registry, readiness::get)) {
            String base = "http://127.0.0.1:" + endpoint.address().getPort();
            assertEquals("ready\n", send("GET", base + "/readyz").body());
            readiness.set(MetricsEndpoint.Readiness.notReady("store unavailable: disk full"));
            HttpResponse<String> notReady = send("GET", base + "/readyz");
            assertEquals(503, notReady.statusCode());
            assertEquals("not ready: store unavailable: disk full\n", notReady.body());
            assertEquals(503, send("HEAD", base + "/readyz").statusCode());
            assertEquals(200, send("GET", base + "/healthz").statusCode());
            assertEquals(404, send("GET", base + "/").statusCode());
            HttpResponse<String> metrics = send("GET", base + "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("doorbell_test_events_total 3.0"), metrics.body());
        }
    }

    @Test
    void start_portInUse_ioExceptionNamingTheAddress() throws Exception {
        try (MetricsEndpoint first =
                MetricsEndpoint.start("127.0.0.1", 0, new PrometheusRegistry(), MetricsEndpoint.Readiness::ok)) {
            int port = first.address().getPort();
            IOException e = assertThrows(
                    IOException.class,
                    () -> MetricsEndpoint.start(
                            "127.0.0.1", port, new PrometheusRegistry(), MetricsEndpoint.Readiness::ok));
            assertTrue(e.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + port), e.getMessage());
        }
    }

    @Test
    void metricsAddress_barePortIsLoopback_hostPortAsGiven() {
        MetricsAddress.Converter converter = new MetricsAddress.Converter();
        assertEquals(new MetricsAddress("127.0.0.1", 9464), converter.convert("9464"));
        assertEquals(new MetricsAddress("0.0.0.0", 9464), converter.convert("0.0.0.0:9464"));
        assertEquals(new MetricsAddress("::1", 9464), converter.convert("[::1]:9464"));
        assertThrows(TypeConversionException.class, () -> converter.convert("99999"));
        assertThrows(TypeConversionException.class, () -> converter.convert("host:"));
    }
}
