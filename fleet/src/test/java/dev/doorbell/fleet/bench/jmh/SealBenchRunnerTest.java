package dev.doorbell.fleet.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.options.TimeValue;

/** The runner end to end in this JVM (no fork, tiny iterations), and the arithmetic of its verdict. */
class SealBenchRunnerTest {
    @Test
    void run_oneShortRoundInProcess_bothSizesMeasuredForSealAndRaw() throws Exception {
        List<SealBenchResult> results = SealBenchRunner.run(
                1,
                method -> SealBenchRunner.options(method, true, 0)
                        .warmupIterations(0)
                        .measurementIterations(1)
                        .measurementTime(TimeValue.milliseconds(200)));
        assertEquals(
                List.of(16384, 65536),
                results.stream().map(SealBenchResult::frameBytes).toList());
        for (SealBenchResult r : results) {
            assertTrue(r.sealBest() > 0 && r.rawBest() > 0, r.row());
            assertEquals(1, r.rounds(), r.row());
        }
    }

    @Test
    void runClipCost_oneShortRoundInProcess_startAndOpenForEachRecipientCount() throws Exception {
        List<ClipCostResult> results = SealBenchRunner.runClipCost(
                1,
                method -> SealBenchRunner.clipCostOptions(method, true, 0)
                        .warmupIterations(0)
                        .measurementIterations(1)
                        .measurementTime(TimeValue.milliseconds(200)));
        assertEquals(
                List.of(
                        "start x25519 1",
                        "start x25519 4",
                        "start x25519 16",
                        "start x-wing 1",
                        "start x-wing 4",
                        "start x-wing 16",
                        "open x25519 1",
                        "open x25519 4",
                        "open x25519 16",
                        "open x-wing 1",
                        "open x-wing 4",
                        "open x-wing 16"),
                results.stream()
                        .map(r -> r.method() + " " + r.kem() + " " + r.recipients())
                        .toList());
        for (ClipCostResult r : results) {
            assertTrue(r.bestMicros() > 0 && r.clipsPerSecond() > 0, r.row());
        }
        // An X-Wing wrapped key is about 1.1 KB more than an X25519 one (enc 1120 instead of 32 bytes).
        List<String> ratios = SealBenchRunner.kemRatios(results);
        assertEquals(3, ratios.size(), ratios.toString());
        assertTrue(ratios.get(2).startsWith("16 recipients: header "), ratios.get(2));
        ClipCostResult classic16 = results.get(2);
        ClipCostResult pq16 = results.get(5);
        assertTrue(pq16.headerBytes() - classic16.headerBytes() >= 16 * 1088, pq16.row() + " / " + classic16.row());
    }

    @Test
    void kemRatios_headerAndStartPlusOpen_xWingOverX25519() {
        List<String> lines = SealBenchRunner.kemRatios(List.of(
                ClipCostResult.fromMicros("start", "x25519", 4, 1000, new double[] {100}),
                ClipCostResult.fromMicros("open", "x25519", 4, 1000, new double[] {100}),
                ClipCostResult.fromMicros("start", "x-wing", 4, 5000, new double[] {300, 400}),
                ClipCostResult.fromMicros("open", "x-wing", 4, 5000, new double[] {500})));
        assertEquals(
                List.of(" 4 recipients: header 1,000 B (x25519) vs 5,000 B (x-wing), 5.0x; start + open 200.0 us vs"
                        + " 800.0 us, x-wing/x25519 = 4.00"),
                lines);
    }

    @Test
    void clipCostFromMicros_bestIsTheLowestMedianTheMiddle() {
        ClipCostResult r = ClipCostResult.fromMicros("start", "x25519", 2, 500, new double[] {300, 100, 200});
        assertEquals(100, r.bestMicros(), 1e-9);
        assertEquals(200, r.medianMicros(), 1e-9);
        assertEquals(10_000, r.clipsPerSecond(), 1e-9);
        assertEquals(3, r.rounds());
    }

    @Test
    void fromOps_scoresInOpsPerSecond_megabytesFromBestRoundAndMedian() {
        SealBenchResult r = SealBenchResult.fromOps(65536, new double[] {1000, 3000, 2000}, new double[] {4000, 2000});
        assertEquals(3000 * 65536 / 1e6, r.sealBest(), 1e-9);
        assertEquals(4000 * 65536 / 1e6, r.rawBest(), 1e-9);
        assertEquals(2000 * 65536 / 1e6, r.sealMedian(), 1e-9);
        assertEquals(3000 * 65536 / 1e6, r.rawMedian(), 1e-9);
        assertEquals(0.75, r.ratio(), 1e-12);
        assertFalse(r.meetsGoal(), r.row());
        assertTrue(SealBenchResult.fromOps(16384, new double[] {850}, new double[] {1000})
                .meetsGoal());
    }
}
