package dev.doorbell.shipper;

import dev.doorbell.tier.S3Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The shipper's loop as {@code ship} runs it, for the bench: a pass every 200 ms until stopped, then a last pass, so
 * that what it shipped and how far behind it was are known.
 */
public final class ShipperForBench {
    private final Shipper shipper;
    private volatile boolean stopping;
    private volatile int segments;
    private volatile long bytes;

    public ShipperForBench(S3Client s3, S3Location root, Path store) throws IOException {
        this.shipper = new Shipper(s3, root, store, ShipState.open(store), 0);
    }

    public void loop() {
        try {
            while (!stopping) {
                Shipper.Pass pass = shipper.shipClosed();
                segments += pass.put();
                bytes += pass.bytes();
                Thread.sleep(200);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Passes until one ships nothing (everything closed is in the bucket) or {@code limit} has passed (the pass then
     * ends after the segment it is putting). True when everything was shipped.
     */
    public boolean drain(Duration limit) throws IOException, InterruptedException {
        Shipper drainer = shipper;
        Thread timer = new Thread(
                () -> {
                    try {
                        Thread.sleep(limit.toMillis());
                        drainer.stop();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "bench-drain-limit");
        timer.setDaemon(true);
        timer.start();
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            Shipper.Pass pass;
            do {
                pass = shipper.shipClosed();
                segments += pass.put();
                bytes += pass.bytes();
            } while (pass.put() > 0 && System.nanoTime() < deadline);
            return System.nanoTime() < deadline;
        } finally {
            timer.interrupt();
            timer.join();
        }
    }

    public void stop() {
        stopping = true;
    }

    public int segments() {
        return segments;
    }

    public long bytes() {
        return bytes;
    }
}
