package dev.doorbell.device.cli;

import dev.doorbell.device.keys.OwnerKeyring;
import dev.doorbell.device.owner.ClipResult;
import dev.doorbell.device.owner.StoreDirectoryReader;
import dev.doorbell.device.owner.StoreMerge;
import dev.doorbell.device.owner.StoreOpener;
import dev.doorbell.device.owner.StoreSnapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "open",
    mixinStandardHelpOptions = true,
    description = {
      "Opens the clips in an uplink's store with the owner's keyring.",
      "",
      "Verifies the key commitment, every tag, order, gaps, duplicates and truncation; writes every verified frame",
      "as OUT/DEVICE/CLIP/frame-NNNNN.jpg with a contact-sheet.png and verdict.txt per clip, and OUT/summary.txt;",
      "prints one verdict per clip: OK, TRUNCATED (final frame missing), or TAMPERED at frame N with the reason.",
      "The store is only read. Exit status: 0 when every clip is OK, 1 when any is not, 2 on a usage or I/O error."
    })
public final class OpenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--store", required = true, paramLabel = "DIR", description = {"The uplink's store directory.",
      "Repeat it for uplink processes that share a port: their clips are merged, identical copies of a frame are one",
      "frame, and different copies make the clip TAMPERED."})
  List<Path> stores;

  @Option(names = "--keyring", required = true, paramLabel = "DIR",
      description = "The owner's keyring directory (provision's owner/keyring).")
  Path keyring;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Where to write DEVICE/CLIP/frame-NNNNN.jpg, contact-sheet.png and verdict.txt.")
  Path out;

  @Option(names = "--device", paramLabel = "ID", description = "Open only this device's clips.")
  String device;

  @Option(names = "--clip", paramLabel = "HEX", converter = ClipIdConverter.class,
      description = "Open only this clip (16 hex digits, as listed).")
  String clip;

  @Option(names = {"-q", "--quiet"}, description = "Print only the per-device table.")
  boolean quiet;

  @Option(names = "--no-table", description = "Do not print the per-device table (it is always in OUT/summary.txt).")
  boolean noTable;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    Long clipFilter = clip == null ? null : Long.parseUnsignedLong(clip, 16);
    List<StoreSnapshot> read = new ArrayList<>();
    for (Path store : stores) {
      read.add(StoreDirectoryReader.read(store));
    }
    StoreSnapshot snapshot = StoreMerge.merge(read);
    for (String warning : snapshot.warnings()) {
      spec.commandLine().getErr().println("warning: " + warning);
    }
    StoreOpener opener = new StoreOpener(OwnerKeyring.open(keyring));
    List<ClipResult> results = opener.openAll(snapshot, device, clipFilter, out, r -> {
      if (!quiet) {
        stdout.printf("%-20s %s  %-6s %6d frames %10s  %s%n", r.deviceId(), r.clipName(), r.trigger(),
            r.storedFrames(), Tables.bytes(r.sealedBytes()), r.summary());
        stdout.flush();
      }
    });
    StringWriter table = new StringWriter();
    printDeviceTable(new PrintWriter(table), results);
    Files.createDirectories(out);
    Files.writeString(out.resolve("summary.txt"), table.toString());
    if (!noTable) {
      stdout.print(table);
      stdout.flush();
    }
    boolean allOk = results.stream().allMatch(ClipResult::ok);
    if (results.isEmpty()) {
      stdout.println("no clips matched in " + stores);
    }
    return allOk ? 0 : 1;
  }

  static void printDeviceTable(PrintWriter out, List<ClipResult> results) {
    Map<String, long[]> perDevice = new TreeMap<>();
    Map<String, String> verdicts = new TreeMap<>();
    for (ClipResult r : results) {
      long[] row = perDevice.computeIfAbsent(r.deviceId(), k -> new long[3]);
      row[0]++;
      row[1] += r.verifiedFrames();
      row[2] += r.sealedBytes();
      if (!r.ok()) {
        verdicts.merge(r.deviceId(), r.verdict(), (a, b) -> a.equals("OK") || a.equals("TRUNCATED") ? b : a);
      }
    }
    out.printf("%-20s %6s %8s %12s  %s%n", "device", "clips", "frames", "bytes", "verdict");
    for (Map.Entry<String, long[]> e : perDevice.entrySet()) {
      long[] row = e.getValue();
      String verdict = verdicts.getOrDefault(e.getKey(), "OK");
      out.printf("%-20s %6d %8d %12s  %s%n", e.getKey(), row[0], row[1], Tables.bytes(row[2]), verdict);
    }
    out.flush();
  }
}
