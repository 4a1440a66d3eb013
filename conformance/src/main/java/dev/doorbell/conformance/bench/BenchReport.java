package dev.doorbell.conformance.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The bench's results: a table for people, and JSON for CI (schema in docs/FIRMWARE.md, "Results").
 *
 * @param device the device id the bench tested (null when no device connected)
 * @param identityUsed whether frames were opened with the owner's identity
 */
public record BenchReport(String device, boolean identityUsed, Instant finished, List<BenchOutcome> outcomes) {
    public static final int SCHEMA_VERSION = 1;

    public BenchReport {
        outcomes = List.copyOf(outcomes);
    }

    /** Every case ran and passed. */
    public boolean passed() {
        return !outcomes.isEmpty() && outcomes.stream().allMatch(BenchOutcome::passed);
    }

    public void printTable(PrintWriter out) {
        int width = outcomes.stream()
                .mapToInt(o -> o.benchCase().id().length())
                .max()
                .orElse(4);
        String row = "%-" + width + "s  %-7s %7s  %s%n";
        out.printf(row, "case", "verdict", "ms", "detail");
        for (BenchOutcome o : outcomes) {
            out.printf(row, o.benchCase().id(), o.verdict(), o.elapsed().toMillis(), o.detail());
        }
        long passed = outcomes.stream().filter(BenchOutcome::passed).count();
        long notRun = outcomes.stream()
                .filter(o -> o.verdict() == BenchOutcome.Verdict.NOT_RUN)
                .count();
        out.printf(
                "device %s: %d cases, %d passed, %d failed, %d not run%n",
                device == null ? "(none connected)" : device,
                outcomes.size(),
                passed,
                outcomes.size() - passed - notRun,
                notRun);
        out.flush();
    }

    public String toJson() {
        StringBuilder json = new StringBuilder();
        json.append("{\n  \"schema\": ").append(SCHEMA_VERSION);
        json.append(",\n  \"tool\": \"doorbell bench-device\"");
        json.append(",\n  \"device\": ").append(device == null ? "null" : quote(device));
        json.append(",\n  \"identity\": ").append(identityUsed);
        json.append(",\n  \"finished\": ").append(quote(finished.toString()));
        json.append(",\n  \"passed\": ").append(passed());
        json.append(",\n  \"cases\": [");
        for (int i = 0; i < outcomes.size(); i++) {
            BenchOutcome o = outcomes.get(i);
            json.append(i == 0 ? "\n" : ",\n");
            json.append("    {\"id\": ").append(quote(o.benchCase().id()));
            json.append(", \"verdict\": ").append(quote(o.verdict().name()));
            json.append(", \"ms\": ").append(o.elapsed().toMillis());
            json.append(", \"scenario\": ").append(quote(o.benchCase().scenario()));
            json.append(", \"expected\": ").append(quote(o.benchCase().expected()));
            json.append(", \"detail\": ").append(quote(o.detail())).append('}');
        }
        json.append("\n  ]\n}\n");
        return json.toString();
    }

    public void writeJson(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
