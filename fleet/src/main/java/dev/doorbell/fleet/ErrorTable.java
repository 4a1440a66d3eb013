package dev.doorbell.fleet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What went wrong in a run, by code: how often, and when first and last (epoch ms). Codes are the uplink's Error codes
 * ({@code uplink STORE_FULL}), a link's refusal ({@code refused}), frames never PERSISTED ({@code unpersisted}),
 * acknowledged frames lost ({@code lost acknowledged}) and connect failures by reason ({@code connect: connection
 * refused}). A handful of codes, so the table stays small however long the run.
 */
final class ErrorTable {
    /** One code's count and when it was first and last seen. */
    record Entry(String code, long count, long firstMillis, long lastMillis) {
        Entry plus(Entry o) {
            return new Entry(
                    code, count + o.count, Math.min(firstMillis, o.firstMillis), Math.max(lastMillis, o.lastMillis));
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("code", code);
            m.put("count", count);
            m.put("first", firstMillis);
            m.put("last", lastMillis);
            return m;
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final LongSupplier wallMillis;

    ErrorTable(LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
    }

    void add(String code, long count) {
        if (count <= 0) {
            return;
        }
        long now = wallMillis.getAsLong();
        entries.merge(code, new Entry(code, count, now, now), Entry::plus);
    }

    /** The entries, most frequent first. */
    List<Entry> entries() {
        return sorted(entries.values());
    }

    static List<Entry> sorted(java.util.Collection<Entry> entries) {
        List<Entry> out = new ArrayList<>(entries);
        out.sort(Comparator.comparingLong(Entry::count).reversed().thenComparing(Entry::code));
        return out;
    }

    /** The tables of several runs added by code. */
    static List<Entry> merge(List<List<Entry>> runs) {
        Map<String, Entry> byCode = new TreeMap<>();
        runs.forEach(run -> run.forEach(e -> byCode.merge(e.code(), e, Entry::plus)));
        return sorted(byCode.values());
    }

    static List<Object> toList(List<Entry> entries) {
        List<Object> out = new ArrayList<>();
        entries.forEach(e -> out.add(e.toMap()));
        return out;
    }

    /** The {@code errors} table of a report.json; empty for a report written before it. */
    static List<Entry> fromReport(Map<String, Object> report) {
        List<Entry> out = new ArrayList<>();
        if (report.get("errorTable") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m
                        && m.get("code") instanceof String code
                        && m.get("count") instanceof Number count
                        && m.get("first") instanceof Number first
                        && m.get("last") instanceof Number last) {
                    out.add(new Entry(code, count.longValue(), first.longValue(), last.longValue()));
                }
            }
        }
        return out;
    }
}
