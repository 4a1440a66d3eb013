package dev.doorbell.fleet;

import dev.doorbell.pki.FleetLayout;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;

/** The real uplink and its directory store in this JVM on loopback, serving a fleet provisioned for a test. */
public final class LoopbackUplink implements AutoCloseable {
    private final DirectoryStore store;
    private final UplinkServer server;
    private final int port;

    /** Starts an uplink trusting {@code fleet}'s CA, storing in {@code storeDir}. */
    public LoopbackUplink(FleetLayout fleet, Path storeDir) throws Exception {
        this.store = DirectoryStore.open(storeDir, StoreOptions.defaults());
        this.server = new UplinkServer(
                UplinkConfig.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .tlsDirectory(fleet.uplinkDir())
                        .build(),
                store);
        this.port = server.start().getPort();
    }

    public int port() {
        return port;
    }

    public UplinkServer server() {
        return server;
    }

    public DirectoryStore store() {
        return store;
    }

    /** Stops serving (gracefully, within 5 s) and closes the store. */
    @Override
    public void close() throws Exception {
        try {
            server.stop(Duration.ofSeconds(5));
        } finally {
            store.close();
        }
    }
}
