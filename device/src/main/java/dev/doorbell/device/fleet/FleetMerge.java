package dev.doorbell.device.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Adds runs up exactly: totals are summed from each run's report.json and latency histograms are added from each
 * run's latency.hlog, second by second; percentiles are computed only from the sums, never averaged. A single run's
 * report is made by the same code, from its own hlog.
 */
public final class FleetMerge {
  private FleetMerge() {}

  /** Merges the report directories {@code runs} (each with report.json and latency.hlog) into {@code out}. */
  public static FleetOutcome merge(List<Path> runs, Path out, double maxErrorRate, double maxConnectFailureRate)
      throws IOException {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge: name at least one report directory");
    }
    FleetTotals totals = null;
    List<Path> logs = new ArrayList<>();
    for (Path run : runs) {
      Path json = run.resolve("report.json");
      Path hlog = run.resolve(LatencyLog.FILE);
      if (!Files.isRegularFile(json) || !Files.isRegularFile(hlog)) {
        throw new IOException(run + " is not a fleet report: it needs report.json and " + LatencyLog.FILE);
      }
      Object t = Json.parseObject(Files.readString(json)).get("totals");
      if (!(t instanceof Map<?, ?> map)) {
        throw new IOException(json + " has no totals");
      }
      FleetTotals one = FleetTotals.fromMap(map);
      totals = totals == null ? one : totals.plus(one);
      logs.add(hlog);
    }
    return report(totals, logs, out, maxErrorRate, maxConnectFailureRate, null,
        RunRecord.fromLog(LatencyLog.readSeconds(logs)));
  }

  /**
   * The report of {@code totals} and the histograms of {@code logs}, written to {@code out}; {@code scenario} is the
   * run's, or null for a merge (each run's report keeps its own).
   */
  static FleetOutcome report(FleetTotals totals, List<Path> logs, Path out, double maxErrorRate,
      double maxConnectFailureRate, FleetScenario scenario, RunRecord record) throws IOException {
    TreeMap<Long, Histogram> seconds = LatencyLog.readSeconds(logs);
    Path outLog = out.resolve(LatencyLog.FILE).toAbsolutePath().normalize();
    boolean ownLog = logs.stream().anyMatch(l -> l.toAbsolutePath().normalize().equals(outLog));
    if (!ownLog) {
      long start = seconds.isEmpty() ? System.currentTimeMillis() : seconds.firstKey() * 1000;
      try (LatencyLog merged = LatencyLog.create(outLog, "merged", start)) {
        for (Map.Entry<Long, Histogram> e : seconds.entrySet()) {
          Histogram h = e.getValue().copy();
          h.setStartTimeStamp(e.getKey() * 1000);
          h.setEndTimeStamp(e.getKey() * 1000 + 1000);
          merged.append(h);
        }
      }
    }
    FleetReport report = new FleetReport(totals, seconds, maxErrorRate, maxConnectFailureRate, scenario, record);
    String table = report.write(out);
    return new FleetOutcome(totals, report.latency(), table, report.passed(), out, record.interrupted());
  }
}
