package dev.doorbell.uplink.cli;

import dev.doorbell.uplink.store.ClipStore;
import java.io.IOException;
import java.nio.file.Path;

/** Opens the store that {@code serve --data DIR} names; tests pass an in-memory one. */
@FunctionalInterface
public interface StoreFactory {
    ClipStore open(Path dataDir) throws IOException;
}
