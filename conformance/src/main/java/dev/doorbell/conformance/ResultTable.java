package dev.doorbell.conformance;

import java.io.PrintWriter;
import java.util.List;

/** Prints results as a fixed-width table: case, verdict, time, and the expected behaviour or what went wrong. */
public final class ResultTable {
    private ResultTable() {}

    public static void print(List<CaseResult> results, PrintWriter out) {
        int width = Math.max(
                4,
                results.stream()
                        .mapToInt(r -> r.conformanceCase().id().length())
                        .max()
                        .orElse(4));
        String row = "%-" + width + "s  %-7s %7s  %s%n";
        out.printf(row, "case", "verdict", "ms", "expected / failure");
        for (CaseResult r : results) {
            out.printf(
                    row,
                    r.conformanceCase().id(),
                    r.verdict(),
                    r.elapsed().toMillis(),
                    r.passed() ? r.conformanceCase().expected() : r.detail());
        }
        long failed = results.stream().filter(r -> !r.passed()).count();
        out.printf("%d cases: %d passed, %d failed%n", results.size(), results.size() - failed, failed);
        out.flush();
    }
}
