package dev.doorbell.uplink.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.doorbell.testing.Waits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Shared helpers of the store tests: seeded bytes, a fixed clock, small options and waiting with a deadline. */
final class StoreFixtures {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);
    static final Duration DEADLINE = Duration.ofSeconds(10);

    private StoreFixtures() {}

    static StoreOptions options() {
        return StoreOptions.defaults().withMaxBatchDelay(Duration.ofMillis(1));
    }

    static byte[] bytes(long seed, int length) {
        byte[] out = new byte[length];
        new SplittableRandom(seed).nextBytes(out);
        return out;
    }

    static byte[] header(String device, long clip) {
        return bytes(device.hashCode() * 31L + clip, 90);
    }

    static byte[] meta(String device, long clip, int seq) {
        return bytes(device.hashCode() * 1_000_003L + clip * 1009 + seq, 12);
    }

    static byte[] sealed(String device, long clip, int seq, int length) {
        return bytes(device.hashCode() * 7_000_003L + clip * 7919 + seq + 17, length);
    }

    static DirectoryStore open(Path dir) throws Exception {
        return DirectoryStore.open(dir, options(), CLOCK);
    }

    /** Waits for the record to be durable and checks the outcome. */
    static void durable(Submission submission, Outcome expected) throws Exception {
        assertEquals(expected, submission.outcome(), submission.detail());
        submission.durable().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stores a whole clip of {@code frames} frames of {@code length} sealed bytes, closed when asked. */
    static void storeClip(ClipStore store, String device, long clip, int frames, int length, boolean close)
            throws Exception {
        durable(store.openClip(device, clip, header(device, clip)), Outcome.ACCEPTED);
        CompletableFuture<?>[] all = new CompletableFuture<?>[frames];
        for (int seq = 0; seq < frames; seq++) {
            Submission s = store.appendFrame(
                    device, clip, seq, seq == frames - 1, meta(device, clip, seq), sealed(device, clip, seq, length));
            assertEquals(Outcome.ACCEPTED, s.outcome(), s.detail());
            all[seq] = s.durable();
        }
        CompletableFuture.allOf(all).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        if (close) {
            durable(store.closeClip(device, clip, frames), Outcome.ACCEPTED);
        }
    }

    static void await(String what, BooleanSupplier condition) {
        Waits.await(what, DEADLINE).until(condition::getAsBoolean);
    }
}
