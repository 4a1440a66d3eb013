package dev.doorbell.uplink.cli;

import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Path;

/** Opens the store that {@code serve --data DIR} names; tests pass an in-memory one. */
@FunctionalInterface
public interface StoreFactory {
    ClipStore open(Path dataDir) throws IOException;

    /**
     * With serve's store options ({@code --segment-max-age}, {@code --index-closed-clips}); a store without segments
     * (tests' in-memory one) ignores them.
     */
    default ClipStore open(Path dataDir, StoreOptions options) throws IOException {
        return open(dataDir);
    }
}
