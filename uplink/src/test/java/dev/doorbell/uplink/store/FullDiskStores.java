package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The store's fail-stop seam ({@link DiskOps}) for tests outside this package: a real {@link DirectoryStore} on real
 * files whose disk is full while {@code full} says so (every segment write, fdatasync and checkpoint fails, as on a
 * full file system) and which tries again every 100 ms, so that a test sees it fail-stop and recover within seconds.
 */
public final class FullDiskStores {
    private FullDiskStores() {}

    public static DirectoryStore open(Path dir, BooleanSupplier full) throws IOException {
        DiskOps disk = new DiskOps() {
            @Override
            void write(FileChannel channel, ByteBuffer[] buffers) throws IOException {
                refuseWhileFull();
                super.write(channel, buffers);
            }

            @Override
            void write(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
                refuseWhileFull();
                super.write(channel, buffer, position);
            }

            @Override
            void writeCheckpoint(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
                refuseWhileFull();
                super.writeCheckpoint(channel, buffer, position);
            }

            @Override
            void force(FileChannel channel) throws IOException {
                refuseWhileFull();
                super.force(channel);
            }

            private void refuseWhileFull() throws IOException {
                if (full.getAsBoolean()) {
                    throw new IOException("No space left on device (injected)");
                }
            }
        };
        return DirectoryStore.open(
                dir,
                StoreFixtures.options(),
                Clock.systemUTC(),
                disk,
                new FailurePolicy(Duration.ofMillis(100), Integer.MAX_VALUE));
    }
}
