package dev.doorbell.device.bench;

import dev.doorbell.device.load.LoadResult;
import java.io.PrintWriter;

/** The benchmark's table: the disk's figures, the two runs, and the ratios to the goals. */
final class BenchReport {
  private final DiskProbe.Figures disk;
  private final LoadResult saturation;
  private final LoadResult partial;
  private final double fraction;

  BenchReport(DiskProbe.Figures disk, LoadResult saturation, LoadResult partial, double fraction) {
    this.disk = disk;
    this.saturation = saturation;
    this.partial = partial;
    this.fraction = fraction;
  }

  void print(PrintWriter out) {
    double ratio = saturation.megabytesPerSecond() / disk.bestSequentialMbPerSecond();
    double p99 = partial.latencyMillis(99);
    out.println();
    out.println("| what                                              | figure                     |");
    out.println("|---------------------------------------------------|----------------------------|");
    row(out, String.format("disk sequential write %d MiB + fdatasync", disk.sequentialBytes() >> 20),
        String.format("%.0f MB/s", disk.sequentialMbPerSecond()));
    row(out, String.format("disk sequential write %d MiB O_DIRECT + fdatasync", disk.sequentialBytes() >> 20),
        disk.directMbPerSecond() > 0 ? String.format("%.0f MB/s", disk.directMbPerSecond()) : "not supported");
    row(out, String.format("disk %d KiB writes, fdatasync each", disk.smallWriteBytes() >> 10),
        String.format("%.0f fsyncs/s, %.1f MB/s", disk.fsyncsPerSecond(), disk.smallWriteMbPerSecond()));
    row(out, "  one fdatasync p99 / max",
        String.format("%.2f / %.2f ms", disk.fsyncP99Millis(), disk.fsyncMaxMillis()));
    row(out, String.format("durable ingest, %d devices, saturation", saturation.devices()),
        String.format("%.1f MB/s, %.0f frames/s", saturation.megabytesPerSecond(), saturation.framesPerSecond()));
    row(out, "ingest / the better disk figure (goal >= 70%)",
        String.format("%.0f%% %s", ratio * 100, ratio >= StoreBench.INGEST_GOAL ? "MET" : "NOT MET"));
    row(out, String.format("open loop at %.0f%%: offered / durable", fraction * 100),
        String.format("%.0f / %.0f frames/s", partial.offeredFramesPerSecond(), partial.framesPerSecond()));
    row(out, "  PERSISTED latency p50 / p99", String.format("%.2f / %.2f ms", partial.latencyMillis(50), p99));
    row(out, "  PERSISTED latency p99.9 / max",
        String.format("%.2f / %.2f ms", partial.latencyMillis(99.9), partial.maxLatencyMillis()));
    row(out, "  p99 vs 20 ms goal",
        String.format("%.0f%% of goal %s", p99 / StoreBench.P99_GOAL_MS * 100,
            p99 <= StoreBench.P99_GOAL_MS ? "MET" : "NOT MET"));
    row(out, "  skipped / refused / errors (both runs)",
        String.format("%d / %d / %d", saturation.framesSkipped() + partial.framesSkipped(),
            saturation.sendsRefused() + partial.sendsRefused(), saturation.errors() + partial.errors()));
  }

  private static void row(PrintWriter out, String what, String figure) {
    out.printf("| %-49s | %-26s |%n", what, figure);
  }
}
