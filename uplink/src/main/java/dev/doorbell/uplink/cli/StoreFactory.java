package dev.doorbell.uplink.cli;

import dev.doorbell.uplink.store.ClipStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Opens the store that {@code serve --data DIR} names; tests pass an in-memory one. */
@FunctionalInterface
public interface StoreFactory {
    ClipStore open(Path dataDir) throws IOException;

    /**
     * With serve's {@code --segment-max-age}; a store without segments (tests' in-memory one) has nothing to roll and
     * ignores it.
     */
    default ClipStore open(Path dataDir, Duration segmentMaxAge) throws IOException {
        return open(dataDir);
    }
}
