package dev.doorbell.shipper;

import dev.doorbell.tier.S3Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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

    /** Passes until one ships nothing: everything closed is in the bucket. */
    public void drain() throws IOException {
        Shipper.Pass pass;
        do {
            pass = shipper.shipClosed();
            segments += pass.put();
            bytes += pass.bytes();
        } while (pass.put() > 0);
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
