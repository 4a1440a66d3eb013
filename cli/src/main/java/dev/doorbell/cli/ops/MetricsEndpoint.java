package dev.doorbell.cli.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations port of a command (docs/OPERATIONS.md): {@code /metrics} in the Prometheus text format (OpenMetrics
 * when the scraper asks for it), {@code /healthz} (the process is alive and answering) and {@code /readyz} (200 when
 * the command says it is ready, else 503 and the reason, one line). Apart from the devices' port on purpose: it speaks
 * plain HTTP, carries no device data, and is bound to loopback unless the operator names another address.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

    /** What {@code /readyz} says: ready, or why not. */
    public record Readiness(boolean ready, String reason) {
        public static Readiness ok() {
            return new Readiness(true, "ready");
        }

        public static Readiness notReady(String reason) {
            return new Readiness(false, reason);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one) and serves {@code registry}; {@code readiness} is asked on
     * every {@code /readyz}, on the endpoint's own thread.
     */
    public static MetricsEndpoint start(
            String host, int port, PrometheusRegistry registry, Supplier<Readiness> readiness) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        // One thread: scrapes and probes are rare and short, and a slow scraper must not take threads from the work.
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "doorbell-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", new MetricsHandler(registry));
        server.createContext("/healthz", exchange -> answer(exchange, 200, "ok"));
        server.createContext("/readyz", exchange -> {
            Readiness now = readiness.get();
            answer(exchange, now.ready() ? 200 : 503, now.ready() ? "ready" : "not ready: " + now.reason());
        });
        server.createContext(
                "/", exchange -> answer(exchange, 404, "not found: the paths are /metrics, /healthz and /readyz"));
        server.start();
        MetricsEndpoint endpoint = new MetricsEndpoint(server, executor);
        InetSocketAddress bound = endpoint.address();
        LOG.info("metrics on http://{}:{}/metrics (and /healthz, /readyz)", bound.getHostString(), bound.getPort());
        return endpoint;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        try (exchange) {
            byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
