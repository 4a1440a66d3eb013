package dev.doorbell.device.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merging reports adds histograms exactly and sums counts; it never averages percentiles. */
class FleetMergeTest {
  @TempDir Path dir;

  @Test
  void merge_twoRuns_equalsTheHistogramOfBothWithExactCounts() throws Exception {
    Histogram a = Progress.emptyHistogram();
    Histogram b = Progress.emptyHistogram();
    Path runA = run("a", 1, 2000, 1_000, 5, a);
    Path runB = run("b", 2, 500, 200_000, 3, b);
    Histogram both = Progress.emptyHistogram();
    both.add(a);
    both.add(b);

    FleetOutcome merged = FleetMerge.merge(List.of(runA, runB), dir.resolve("merged"), 0.01, 0.01);

    assertEquals(both, merged.latencyMicros());
    assertEquals(a.getTotalCount() + b.getTotalCount(), merged.latencyMicros().getTotalCount());
    assertEquals(both.getValueAtPercentile(99), merged.latencyMicros().getValueAtPercentile(99));
    assertEquals(40, merged.totals().devices());
    assertEquals(a.getTotalCount() + b.getTotalCount(), merged.totals().framesPersisted());
    Histogram reread = LatencyLog.total(LatencyLog.readSeconds(List.of(dir.resolve("merged/latency.hlog"))));
    assertEquals(both, reread, "the merged hlog holds the same histogram");
    Map<String, Object> json = Json.parseObject(Files.readString(dir.resolve("merged/report.json")));
    @SuppressWarnings("unchecked")
    Map<String, Object> latency = (Map<String, Object>) json.get("latencyMillis");
    assertEquals(both.getTotalCount(), ((Double) latency.get("count")).longValue());
    assertEquals(both.getValueAtPercentile(99.9) / 1000.0, (Double) latency.get("p99.9"), 1e-9);
  }

  @Test
  void merge_errorsOverTheLimit_fails() throws Exception {
    Path run = dir.resolve("bad");
    Histogram h = Progress.emptyHistogram();
    h.recordValue(1000);
    h.setStartTimeStamp(1_700_000_000_000L);
    h.setEndTimeStamp(1_700_000_001_000L);
    try (LatencyLog log = LatencyLog.create(run.resolve(LatencyLog.FILE), "p0", 1_700_000_000_000L)) {
      log.append(h);
    }
    FleetTotals totals = new FleetTotals(1, 0, 1, 1, 100, 1, 1000, 0, 2, 0, 1, 0, 0);
    new FleetReport(totals, LatencyLog.readSeconds(List.of(run.resolve(LatencyLog.FILE))), 0.01, 0.01).write(run);

    assertFalse(FleetMerge.merge(List.of(run), dir.resolve("m1"), 0.01, 0.01).passed(), "2 errors in 100 frames");
    assertTrue(FleetMerge.merge(List.of(run), dir.resolve("m2"), 0.05, 0.01).passed(), "under a 5% limit");
  }

  /** Writes a run of {@code seconds} seconds with {@code perSecond} random latencies around {@code micros}. */
  private Path run(String name, long seed, int perSecond, long micros, int seconds, Histogram all) throws Exception {
    Path run = dir.resolve(name);
    SplittableRandom random = new SplittableRandom(seed);
    long start = 1_700_000_000_000L;
    try (LatencyLog log = LatencyLog.create(run.resolve(LatencyLog.FILE), name, start)) {
      for (int s = 0; s < seconds; s++) {
        Histogram h = Progress.emptyHistogram();
        for (int i = 0; i < perSecond; i++) {
          h.recordValue(micros / 2 + random.nextLong(micros * 4));
        }
        h.setStartTimeStamp(start + s * 1000L);
        h.setEndTimeStamp(start + s * 1000L + 1000);
        all.add(h);
        log.append(h);
      }
    }
    TreeMap<Long, Histogram> secs = LatencyLog.readSeconds(List.of(run.resolve(LatencyLog.FILE)));
    FleetTotals totals = new FleetTotals(20, 0, 20, 10, all.getTotalCount(), all.getTotalCount(), 1000, 0, 0, 0,
        seconds, 0, 0);
    new FleetReport(totals, secs, 0.01, 0.01).write(run);
    return run;
  }
}
