package dev.doorbell.testing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format, version 0.0.4 (what a Prometheus server scrapes by
 * default), for tests that scrape a real endpoint: every line must be a {@code # HELP}, a {@code # TYPE} or a sample;
 * a family's TYPE comes before its samples and its samples are not interleaved with another family's; a sample's name
 * must be what its family's type allows (a counter's ends in {@code _total}; a histogram's in {@code _bucket},
 * {@code _sum} or {@code _count}); label names and escapes must be valid; no series appears twice; counters are not negative; and
 * each histogram's buckets are cumulative, end in {@code le="+Inf"} and agree with its {@code _count}. Anything else
 * throws {@link IllegalArgumentException} naming the line.
 */
public final class PrometheusText {
    /** One sample: its full name (with suffix), its labels in order, its value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** One metric family: its name (without suffix), type, help and samples in order. */
    public record Family(String name, String type, String help, List<Sample> samples) {
        /** The value of the one sample named {@code sampleName} whose labels include {@code labels}; fails if none. */
        public double value(String sampleName, Map<String, String> labels) {
            List<Sample> matching = samples.stream()
                    .filter(s ->
                            s.name().equals(sampleName) && s.labels().entrySet().containsAll(labels.entrySet()))
                    .toList();
            if (matching.size() != 1) {
                throw new AssertionError(
                        matching.size() + " samples " + sampleName + labels + " in " + name + ": " + samples);
            }
            return matching.get(0).value();
        }
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern SAMPLE =
            Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? ([^ ]+)(?: (-?[0-9]+))?");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private PrometheusText() {}

    /** The families of a scrape, by name, in the order they appear. */
    public static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new TreeMap<>();
        Set<String> seenSeries = new HashSet<>();
        Set<String> closed = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a newline");
        }
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + " '" + line + "'";
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", 2);
                String name = parts[0];
                require(NAME.matcher(name).matches(), where + ": bad metric name");
                if (line.startsWith("# HELP ")) {
                    require(!help.containsKey(name), where + ": a second HELP for " + name);
                    help.put(name, parts.length > 1 ? unescapeHelp(parts[1], where) : "");
                } else {
                    require(parts.length == 2 && TYPES.contains(parts[1]), where + ": bad TYPE");
                    require(!families.containsKey(name), where + ": a second TYPE for " + name);
                    if (current != null) {
                        closed.add(current);
                    }
                    current = name;
                    families.put(name, new Family(name, parts[1], null, new ArrayList<>()));
                }
                continue;
            }
            require(!line.startsWith("#") || line.startsWith("# "), where + ": a comment must start with '# '");
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            require(m.matches(), where + ": not a sample line");
            String sampleName = m.group(1);
            Map<String, String> labels = labels(m.group(2), where);
            double value = value(m.group(3), where);
            String family = familyOf(sampleName, families);
            require(family != null, where + ": sample " + sampleName + " belongs to no TYPE declared before it");
            require(!closed.contains(family), where + ": samples of " + family + " are interleaved with another's");
            require(family.equals(current), where + ": sample of " + family + " after the TYPE of " + current);
            require(seenSeries.add(sampleName + labels), where + ": the series appears twice");
            Family f = families.get(family);
            if (f.type().equals("counter") && sampleName.endsWith("_total")) {
                require(value >= 0, where + ": a counter below 0");
            }
            f.samples().add(new Sample(sampleName, labels, value));
        }
        Map<String, Family> out = new LinkedHashMap<>();
        for (Family f : families.values()) {
            Family withHelp = new Family(f.name(), f.type(), help.get(f.name()), List.copyOf(f.samples()));
            if (f.type().equals("histogram")) {
                checkHistogram(withHelp);
            }
            out.put(f.name(), withHelp);
        }
        return out;
    }

    /** The family a sample belongs to, by its type's allowed suffixes; null when none. */
    private static String familyOf(String sampleName, Map<String, Family> families) {
        Family exact = families.get(sampleName);
        // A counter's family is named with its _total in this format (client_java and the Go client alike).
        if (exact != null
                && !exact.type().equals("histogram")
                && (!exact.type().equals("counter") || sampleName.endsWith("_total"))) {
            return sampleName;
        }
        for (String suffix : List.of("_total", "_created", "_bucket", "_sum", "_count")) {
            if (!sampleName.endsWith(suffix)) {
                continue;
            }
            String base = sampleName.substring(0, sampleName.length() - suffix.length());
            Family f = families.get(base);
            if (f == null) {
                continue;
            }
            boolean allowed = switch (f.type()) {
                case "counter" -> suffix.equals("_total") || suffix.equals("_created");
                case "histogram" -> !suffix.equals("_total");
                case "summary" -> suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
                default -> false;
            };
            if (allowed) {
                return base;
            }
        }
        return null;
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            if (s.name().endsWith("_bucket")) {
                require(s.labels().containsKey("le"), f.name() + ": a bucket without le");
                Map<String, String> series = new TreeMap<>(s.labels());
                series.remove("le");
                buckets.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
            } else if (s.name().endsWith("_count")) {
                counts.put(new TreeMap<>(s.labels()), s.value());
            }
        }
        require(!buckets.isEmpty(), f.name() + ": a histogram without buckets");
        buckets.forEach((series, list) -> {
            double lastBound = Double.NEGATIVE_INFINITY;
            double lastCount = 0;
            for (Sample b : list) {
                double bound = value(b.labels().get("le"), f.name() + " le");
                require(bound > lastBound, f.name() + series + ": le not increasing at " + bound);
                require(b.value() >= lastCount, f.name() + series + ": bucket counts not cumulative at le=" + bound);
                lastBound = bound;
                lastCount = b.value();
            }
            require(lastBound == Double.POSITIVE_INFINITY, f.name() + series + ": no le=\"+Inf\" bucket");
            Double count = counts.get(series);
            require(count != null && count == lastCount, f.name() + series + ": _count " + count + " != +Inf bucket");
        });
    }

    private static Map<String, String> labels(String text, String where) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return labels;
        }
        int i = 0;
        while (i < text.length()) {
            int eq = text.indexOf('=', i);
            require(eq > i, where + ": bad label at " + i);
            String name = text.substring(i, eq);
            require(LABEL_NAME.matcher(name).matches(), where + ": bad label name '" + name + "'");
            require(eq + 1 < text.length() && text.charAt(eq + 1) == '"', where + ": label value not quoted");
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < text.length() && text.charAt(j) != '"'; j++) {
                char c = text.charAt(j);
                if (c == '\\') {
                    require(j + 1 < text.length(), where + ": a lone backslash");
                    char e = text.charAt(++j);
                    require(e == '\\' || e == '"' || e == 'n', where + ": bad escape \\" + e);
                    value.append(e == 'n' ? '\n' : e);
                } else {
                    require(c != '\n', where + ": a newline in a label value");
                    value.append(c);
                }
            }
            require(j < text.length(), where + ": label value not closed");
            require(labels.put(name, value.toString()) == null, where + ": label " + name + " twice");
            i = j + 1;
            if (i < text.length()) {
                require(text.charAt(i) == ',', where + ": labels not separated by ','");
                i++;
            }
        }
        return labels;
    }

    private static double value(String text, String where) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    require(!text.contains("Infinity"), where + ": not a Prometheus float: " + text);
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": not a number: " + text, e);
                }
        }
    }

    private static String unescapeHelp(String text, String where) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                require(i + 1 < text.length(), where + ": a lone backslash in HELP");
                char e = text.charAt(++i);
                require(e == '\\' || e == 'n', where + ": bad escape in HELP \\" + e);
                out.append(e == 'n' ? '\n' : e);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }
}
