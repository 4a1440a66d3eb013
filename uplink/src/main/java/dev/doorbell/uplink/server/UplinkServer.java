package dev.doorbell.uplink.server;

import dev.doorbell.cli.ops.MetricsEndpoint.Readiness;
import dev.doorbell.uplink.identity.CertificateRevocations;
import dev.doorbell.uplink.identity.CrlFile;
import dev.doorbell.uplink.identity.DeviceTrustManager;
import dev.doorbell.uplink.metrics.UplinkMetrics;
import dev.doorbell.uplink.recipients.RecipientListRelay;
import dev.doorbell.uplink.session.DeviceSessionHandler;
import dev.doorbell.uplink.session.SessionRegistry;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.wire.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uplink's listening socket. {@link #start()} binds and returns the address (port 0 picks a free one);
 * {@link #stop(Duration)} stops accepting, lets pending storage results and their acks go out, tells every
 * device SHUTTING_DOWN and closes. The store is the caller's: it is used, never closed, here.
 */
public final class UplinkServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UplinkServer.class);

    private final UplinkConfig config;
    private final ClipStore store;
    private final SessionRegistry registry = new SessionRegistry();
    private final UplinkMetrics metrics = new UplinkMetrics();
    /** Read by /readyz without the lock, which stop() holds for its whole grace period. */
    private volatile boolean listening;

    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private CertificateRevocations revocations = CertificateRevocations.none();
    private RevocationWatcher revocationWatcher;
    private RecipientListRelay recipientLists = RecipientListRelay.none();

    public UplinkServer(UplinkConfig config, ClipStore store) {
        this.config = config;
        this.store = store;
        metrics.bind(
                store,
                registry::sessionCount,
                registry::connectionCount,
                () -> readiness().ready());
    }

    /** Binds and starts accepting. Fails with an IOException naming the address or the TLS file at fault. */
    public synchronized InetSocketAddress start() throws IOException {
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        SslContext ssl = config.insecurePlaintextForDebugging() ? null : sslContext(config);
        if (ssl == null) {
            LOG.warn("INSECURE PLAINTEXT MODE, for debugging only: no TLS, and devices are whoever they say they are");
        } else {
            revocations = CertificateRevocations.load(
                    config.caCert().resolveSibling(CrlFile.FILE_NAME),
                    CrlFile.readCa(config.caCert()),
                    config.clock(),
                    config.dataDirectory());
        }
        if (config.reusePort() && !Transports.epoll()) {
            throw new IOException("--reuse-port needs the epoll transport, which is not available here ("
                    + Transports.describe() + ")");
        }
        recipientLists = config.dataDirectory() == null
                ? RecipientListRelay.none()
                : RecipientListRelay.of(config.dataDirectory());
        registry.recipientLists(recipientLists);
        bossGroup = new MultiThreadIoEventLoopGroup(1, Transports.ioHandlerFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(), Transports.ioHandlerFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(Transports.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new UplinkServerInitializer(config, ssl, store, registry, revocations, metrics));
        if (config.reusePort()) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        try {
            serverChannel = bootstrap.bind(config.host(), config.port()).sync().channel();
        } catch (Exception e) {
            shutDownGroups(Duration.ZERO);
            serverChannel = null;
            // The cause says why (an unknown host, an address not on this machine, a port in use); its message may be
            // null.
            throw new IOException("cannot listen on " + config.host() + ":" + config.port(), e);
        }
        if (ssl != null) {
            revocationWatcher = new RevocationWatcher(revocations, registry);
        }
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        listening = true;
        LOG.info(
                "uplink listening on {}:{} ({}; {}{})",
                bound.getHostString(),
                bound.getPort(),
                ssl == null ? "INSECURE PLAINTEXT" : "TLS 1.3, client certificates required",
                Transports.describe(),
                config.reusePort() ? ", SO_REUSEPORT" : "");
        return bound;
    }

    public synchronized InetSocketAddress address() {
        return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }

    /** The server's metrics (docs/OPERATIONS.md), to serve on the operations port. */
    public UplinkMetrics metrics() {
        return metrics;
    }

    /**
     * What {@code /readyz} says: ready while the server listens and the store takes records; otherwise why not (not
     * listening yet or any more; the store fail-stopped after a failed write or fdatasync, or closed).
     */
    public Readiness readiness() {
        if (!listening) {
            return Readiness.notReady("not listening for devices");
        }
        String store = this.store.unavailableReason();
        return store == null ? Readiness.ok() : Readiness.notReady("store unavailable: " + store);
    }

    public SessionRegistry registry() {
        return registry;
    }

    /** The revocation list in force ({@code crl.pem} beside the CA certificate); none in plaintext mode. */
    public CertificateRevocations revocations() {
        return revocations;
    }

    /**
     * Takes a changed revocation list now instead of at the next look (every two seconds) and closes the sessions it
     * revokes. Returns true if a new list came into force.
     */
    public boolean reloadRevocations() {
        RevocationWatcher watcher;
        synchronized (this) {
            watcher = revocationWatcher;
        }
        return watcher != null && watcher.reload();
    }

    /**
     * Graceful stop within {@code grace}: no new connections, no more reading, PERSISTED acks for what the store
     * makes durable in time, SHUTTING_DOWN to every device, then close. Connections still open at the deadline are
     * closed without further ado.
     */
    public synchronized void stop(Duration grace) {
        if (serverChannel == null) {
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        listening = false;
        serverChannel.close().syncUninterruptibly();
        if (revocationWatcher != null) {
            revocationWatcher.close();
            revocationWatcher = null;
        }
        List<DeviceSessionHandler> sessions = registry.sessions();
        LOG.info("uplink stopping: {} connections to close", sessions.size());
        CompletableFuture<?>[] closed =
                sessions.stream().map(DeviceSessionHandler::shutDown).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(closed).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.warn(
                    "{} connections still open after {} ms; closing them",
                    registry.connectionCount(),
                    grace.toMillis());
        } catch (ExecutionException e) {
            LOG.warn("error while closing connections: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        registry.connections().close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        shutDownGroups(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        recipientLists.close();
        serverChannel = null;
        LOG.info("uplink stopped");
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    private void shutDownGroups(Duration timeout) {
        long millis = Math.max(100, timeout.toMillis());
        workerGroup.shutdownGracefully(0, millis, TimeUnit.MILLISECONDS).awaitUninterruptibly(millis + 1000);
        bossGroup.shutdownGracefully(0, millis, TimeUnit.MILLISECONDS).awaitUninterruptibly(millis + 1000);
    }

    /**
     * TLS 1.3 only, client certificate required and issued by the fleet CA ({@link DeviceTrustManager}: one direct
     * check instead of a PKIX path build, remembered per certificate so that reconnects skip the signature check).
     */
    static SslContext sslContext(UplinkConfig config) throws IOException {
        DeviceTrustManager trust = new DeviceTrustManager(
                CrlFile.readCa(config.caCert()), config.clock(), DeviceTrustManager.DEFAULT_CACHE_SIZE);
        // Named on their own: the TLS library's message for a missing file names the file twice and says "invalid".
        for (Path file : List.of(config.serverCert(), config.serverKey())) {
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(file.toString());
            }
        }
        try {
            // A device may resume a TLS 1.3 session, which skips the trust manager; the session checks the
            // certificate's
            // dates and the revocation list on every connection, resumed or not (PeerIdentifier).
            return SslContextBuilder.forServer(
                            config.serverCert().toFile(), config.serverKey().toFile())
                    .trustManager(trust)
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols("TLSv1.3")
                    .sslProvider(Transports.sslProvider())
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new IOException(
                    "cannot load TLS files (CA " + config.caCert() + ", certificate " + config.serverCert() + ", key "
                            + config.serverKey() + "): " + e.getMessage(),
                    e);
        }
    }
}
