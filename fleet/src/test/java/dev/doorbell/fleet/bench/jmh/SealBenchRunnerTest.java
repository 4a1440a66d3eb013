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
                List.of("start 1", "start 2", "start 8", "open 1", "open 2", "open 8"),
                results.stream().map(r -> r.method() + " " + r.recipients()).toList());
        for (ClipCostResult r : results) {
            assertTrue(r.bestMicros() > 0 && r.clipsPerSecond() > 0, r.row());
        }
    }

    @Test
    void clipCostFromMicros_bestIsTheLowestMedianTheMiddle() {
        ClipCostResult r = ClipCostResult.fromMicros("start", 2, new double[] {300, 100, 200});
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
