package dev.doorbell.app.testing;

import dev.doorbell.pki.FleetLayout;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Two provisioned fleets and the uplinks that get trust wrong either way, on loopback: fleet A's devices against
 * fleet B's uplink (the devices refuse the uplink's certificate), against an uplink that presents A's server
 * certificate but trusts only B's CA (the uplink refuses the devices). Nothing at all, and peers that are not TLS,
 * are {@link dev.doorbell.testing.LoopbackPeers}.
 */
public final class TrustFixtures {
    private TrustFixtures() {}

    /** A fleet of {@code devices} doorbells, with the two devices reserved for the conformance suite. */
    public static FleetLayout provision(Path dir, int devices) throws Exception {
        return PairedFleets.provisionWithConformance(dir, devices);
    }

    /** An uplink directory with {@code presented}'s server certificate and key but {@code trusted}'s CA and CRL. */
    public static Path uplinkTrustingOtherCa(FleetLayout presented, FleetLayout trusted, Path dir) throws IOException {
        Files.createDirectories(dir);
        copy(presented.serverCert(), dir.resolve(UplinkConfig.SERVER_CERT_FILE));
        copy(presented.serverKey(), dir.resolve(UplinkConfig.SERVER_KEY_FILE));
        copy(trusted.uplinkCaCert(), dir.resolve(UplinkConfig.CA_CERT_FILE));
        copy(trusted.uplinkCrl(), dir.resolve(trusted.uplinkCrl().getFileName().toString()));
        return dir;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A real uplink with its own store in {@code storeDir}, serving TLS from {@code tlsDir}. */
    public static final class Uplink implements AutoCloseable {
        private final DirectoryStore store;
        private final UplinkServer server;
        private final int port;

        public Uplink(Path tlsDir, Path storeDir) throws IOException {
            store = DirectoryStore.open(storeDir, StoreOptions.defaults());
            server = new UplinkServer(
                    UplinkConfig.builder()
                            .host("127.0.0.1")
                            .port(0)
                            .tlsDirectory(tlsDir)
                            .build(),
                    store);
            port = server.start().getPort();
        }

        public int port() {
            return port;
        }

        public DirectoryStore store() {
            return store;
        }

        /** Stops the server, letting pending acks out, and closes the store. */
        @Override
        public void close() throws IOException {
            server.stop(Duration.ofSeconds(5));
            store.close();
        }
    }
}
