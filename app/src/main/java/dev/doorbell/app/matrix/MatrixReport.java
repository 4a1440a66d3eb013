package dev.doorbell.app.matrix;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** The matrix as it ran: a table for people, matrix.json for tools, matrix.html (self-contained) for a browser. */
public record MatrixReport(long seed, Duration boot, Instant started, Instant finished, List<MatrixRow> rows) {
    public static final int SCHEMA_VERSION = 1;

    public MatrixReport {
        rows = List.copyOf(rows);
    }

    /** Every row ran and every cell is as docs/FIRMWARE.md states: the exit status is 0 exactly then. */
    public boolean matched() {
        return !rows.isEmpty() && rows.stream().allMatch(MatrixRow::matches);
    }

    /** The table: CAUGHT or -, a cell that differs from the docs marked with {@code !} and what the docs say. */
    public void printTable(PrintWriter out) {
        out.printf("%-20s", "fault");
        for (Layer l : Layer.values()) {
            out.printf(" %-9s", l.id());
        }
        out.printf(" %s%n", "as documented");
        for (MatrixRow row : rows) {
            out.printf("%-20s", row.fault());
            if (row.cells().isEmpty()) {
                out.printf(" NOT RUN: %s%n", row.error());
                continue;
            }
            for (MatrixCell c : row.cells()) {
                out.printf(" %-9s", (c.caught() ? "CAUGHT" : "-") + (c.matches() ? "" : "!"));
            }
            out.printf(" %s%n", row.matches() ? "yes" : "NO: the docs say " + names(expectedOf(row)));
        }
        out.println();
        for (MatrixRow row : rows) {
            for (MatrixCell c : row.cells()) {
                if (c.caught() || !c.matches()) {
                    out.printf("%-20s %-7s %s%n", row.fault(), c.layer().id(), c.evidence());
                }
            }
        }
        long mismatched = rows.stream().filter(r -> !r.matches()).count();
        out.printf(
                "%nfault matrix: %d rows, %s (seed %d, %.1f s)%n",
                rows.size(),
                mismatched == 0
                        ? "every cell as docs/FIRMWARE.md states"
                        : mismatched + " NOT as docs/FIRMWARE.md states",
                seed,
                Duration.between(started, finished).toMillis() / 1000.0);
        out.flush();
    }

    public String toJson() {
        StringBuilder json = new StringBuilder();
        json.append("{\n  \"schema\": ").append(SCHEMA_VERSION);
        json.append(",\n  \"tool\": \"doorbell fault-matrix\"");
        json.append(",\n  \"seed\": ").append(seed);
        json.append(",\n  \"boot_ms\": ").append(boot.toMillis());
        json.append(",\n  \"started\": ").append(quote(started.toString()));
        json.append(",\n  \"finished\": ").append(quote(finished.toString()));
        json.append(",\n  \"matched\": ").append(matched());
        json.append(",\n  \"layers\": [");
        for (Layer l : Layer.values()) {
            json.append(l.ordinal() == 0 ? "" : ", ")
                    .append("{\"id\": ")
                    .append(quote(l.id()))
                    .append(", \"description\": ")
                    .append(quote(l.description()))
                    .append('}');
        }
        json.append("],\n  \"rows\": [");
        for (int i = 0; i < rows.size(); i++) {
            MatrixRow r = rows.get(i);
            json.append(i == 0 ? "\n" : ",\n");
            json.append("    {\"fault\": ").append(quote(r.fault()));
            json.append(", \"effect\": ").append(quote(r.effect()));
            json.append(", \"matched\": ").append(r.matches());
            json.append(", \"ms\": ").append(r.millis());
            json.append(", \"error\": ").append(r.error() == null ? "null" : quote(r.error()));
            json.append(", \"caught_by\": ").append(idList(r.caughtBy()));
            json.append(", \"expected\": ").append(idList(expectedOf(r)));
            json.append(",\n     \"cells\": [");
            for (int j = 0; j < r.cells().size(); j++) {
                MatrixCell c = r.cells().get(j);
                json.append(j == 0 ? "\n" : ",\n");
                json.append("       {\"layer\": ").append(quote(c.layer().id()));
                json.append(", \"caught\": ").append(c.caught());
                json.append(", \"expected\": ").append(c.expected());
                json.append(", \"evidence\": ").append(quote(c.evidence())).append('}');
            }
            json.append("]}");
        }
        json.append("\n  ]\n}\n");
        return json.toString();
    }

    /** One page, no script, no external resource: it opens offline from a CI artifact. */
    public String toHtml() {
        StringBuilder h = new StringBuilder();
        h.append(
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>doorbell fault matrix</title>\n");
        h.append("<style>\nbody{font-family:system-ui,sans-serif;margin:2em;color:#222}\n"
                + "table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.4em .6em;vertical-align:top}\n"
                + "th{background:#eee;text-align:left}td.caught{background:#d4f4d4}td.none{background:#fafafa;color:#888}\n"
                + "td.wrong{outline:3px solid #c00;outline-offset:-3px}small{color:#555;display:block;max-width:22em}\n"
                + ".bad{color:#c00;font-weight:bold}.ok{color:#070}\n</style></head><body>\n");
        h.append("<h1>Who catches each firmware fault</h1>\n<p>")
                .append(
                        matched()
                                ? "<span class=\"ok\">Every cell is as docs/FIRMWARE.md states.</span>"
                                : "<span class=\"bad\">Some cells are NOT as docs/FIRMWARE.md states (outlined).</span>")
                .append(" Seed ")
                .append(seed)
                .append(", two boots of ")
                .append(boot.toMillis() / 1000.0)
                .append(" s per run, finished ")
                .append(escape(finished.toString()))
                .append(".</p>\n<table>\n<tr><th>fault</th>");
        for (Layer l : Layer.values()) {
            h.append("<th>")
                    .append(escape(l.id()))
                    .append("<small>")
                    .append(escape(l.description()))
                    .append("</small></th>");
        }
        h.append("<th>as documented</th></tr>\n");
        for (MatrixRow r : rows) {
            h.append("<tr><td><b>")
                    .append(escape(r.fault()))
                    .append("</b><small>")
                    .append(escape(r.effect()))
                    .append("</small></td>");
            if (r.cells().isEmpty()) {
                h.append("<td colspan=\"")
                        .append(Layer.values().length)
                        .append("\" class=\"wrong\">NOT RUN: ")
                        .append(escape(String.valueOf(r.error())))
                        .append("</td>");
            }
            for (MatrixCell c : r.cells()) {
                h.append("<td class=\"")
                        .append(c.caught() ? "caught" : "none")
                        .append(c.matches() ? "" : " wrong")
                        .append("\">")
                        .append(c.caught() ? "CAUGHT" : "&ndash;")
                        .append("<small>")
                        .append(escape(c.evidence()))
                        .append("</small></td>");
            }
            h.append("<td>")
                    .append(
                            r.matches()
                                    ? "<span class=\"ok\">yes</span>"
                                    : "<span class=\"bad\">NO</span><small>the docs say " + escape(names(expectedOf(r)))
                                            + "</small>")
                    .append("</td></tr>\n");
        }
        h.append(
                "</table>\n<p>A \"nobody\" row is allowed only where docs/FIRMWARE.md says why no layer can catch the fault.</p>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    /** Writes matrix.json and matrix.html into {@code dir}, each replaced atomically. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        replace(dir.resolve("matrix.json"), toJson());
        replace(dir.resolve("matrix.html"), toHtml());
    }

    private static void replace(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Set<Layer> expectedOf(MatrixRow row) {
        return MatrixExpectations.expected(row.fault()).orElse(Set.of());
    }

    private static String names(Set<Layer> layers) {
        return layers.isEmpty()
                ? "nobody"
                : String.join(", ", layers.stream().map(Layer::id).toList());
    }

    private static String idList(Set<Layer> layers) {
        StringBuilder s = new StringBuilder("[");
        for (Layer l : layers) {
            s.append(s.length() == 1 ? "" : ", ").append(quote(l.id()));
        }
        return s.append(']').toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
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
