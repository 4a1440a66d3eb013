package dev.doorbell.fleet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunBarrierTest {
    @TempDir
    Path dir;

    @Test
    void await_everyParty_eachGetsAllFiguresInProcessOrder() throws Exception {
        List<CompletableFuture<List<Properties>>> parties = new ArrayList<>();
        for (int i = 2; i >= 0; i--) {
            RunBarrier barrier = new RunBarrier(dir, 3, i, Duration.ofSeconds(10));
            Properties mine = new Properties();
            mine.setProperty("index", String.valueOf(i));
            parties.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return barrier.await("connected", mine);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<List<Properties>> party : parties) {
            List<Properties> all = party.get(20, TimeUnit.SECONDS);
            assertEquals(
                    List.of("0", "1", "2"),
                    all.stream().map(p -> p.getProperty("index")).toList());
        }
    }

    @Test
    void await_aPartyMissing_failsNamingItAfterTheTimeout() {
        RunBarrier barrier = new RunBarrier(dir, 2, 0, Duration.ofMillis(200));
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> barrier.await("ready", new Properties()));
        assertTrue(e.getMessage().contains("processes [1] did not reach 'ready'"), e.getMessage());
    }

    @Test
    void await_alone_returnsAtOnceWritingNothing() throws Exception {
        Properties mine = new Properties();
        assertEquals(List.of(mine), RunBarrier.alone().await("ready", mine));
    }
}
