package dev.doorbell.fleet;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG line charts for report.html, drawn here so that the page opens offline: no script, no CDN. A chart is a
 * frame, a few labelled ticks and one polyline; the percentile curve uses a log axis of 1/(1-p), as HdrHistogram's
 * own plotter does, so that p99.99 gets as much room as p50.
 */
final class SvgCharts {
    static final int WIDTH = 720;
    static final int HEIGHT = 240;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 40;

    /** A point of a chart, in data units. */
    record Point(double x, double y) {}

    /** A named line of a chart, in its colour. */
    record Series(String name, String color, List<Point> points) {}

    /** A bar of a histogram: its label under it and its height. */
    record Bar(String label, String range, long count) {}

    /** A labelled vertical line at {@code x} (data units): when a scenario's event happened. */
    record Marker(double x, String label) {}

    private SvgCharts() {}

    /**
     * A chart of several lines on one linear y axis from 0 and a linear x axis (seconds), with a legend; the svg has
     * {@code id} and its number of points as {@code data-points}, each polyline its series' name as
     * {@code data-series} and its own {@code data-points}, so that a page's reader (or a test) finds them.
     */
    static String lines(
            String id, String title, String xLabel, String yLabel, List<Series> series, List<Marker> markers) {
        double maxX = niceCeiling(Math.max(
                1,
                series.stream()
                        .flatMap(s -> s.points().stream())
                        .mapToDouble(Point::x)
                        .max()
                        .orElse(1)));
        double maxY = niceCeiling(series.stream()
                .flatMap(s -> s.points().stream())
                .mapToDouble(Point::y)
                .max()
                .orElse(1));
        int count = series.stream().mapToInt(s -> s.points().size()).sum();
        StringBuilder svg = frame(id, count, title, xLabel, yLabel);
        ticks(svg, maxX, maxY);
        markers(svg, markers, maxX);
        int legendX = LEFT + 8;
        for (Series s : series) {
            StringBuilder coords = new StringBuilder();
            for (Point p : s.points()) {
                coords.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(p.x(), maxX), py(p.y(), maxY)));
            }
            svg.append(String.format(
                    Locale.ROOT,
                    "<polyline class=\"data\" data-series=\"%s\" data-points=\"%d\" fill=\"none\" stroke=\"%s\" "
                            + "stroke-width=\"1.5\" points=\"%s\"/>%n",
                    escape(s.name()),
                    s.points().size(),
                    s.color(),
                    coords.toString().trim()));
            if (s.points().size() == 1) {
                // One point draws no line: a dot shows it.
                Point p = s.points().get(0);
                svg.append(String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n",
                        px(p.x(), maxX),
                        py(p.y(), maxY),
                        s.color()));
            }
            if (series.size() > 1) {
                svg.append(String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                                + "<text class=\"legend\" x=\"%d\" y=\"%d\">%s</text>%n",
                        legendX,
                        TOP + 6,
                        s.color(),
                        legendX + 14,
                        TOP + 15,
                        escape(s.name())));
                legendX += 24 + 7 * s.name().length();
            }
        }
        return svg.append("</svg>\n").toString();
    }

    /** A histogram: a bar per range, labelled under it with its range's upper end, its count in its tooltip. */
    static String bars(String id, String title, String xLabel, String yLabel, List<Bar> bars) {
        long max = bars.stream().mapToLong(Bar::count).max().orElse(1);
        double maxY = niceCeiling(max);
        StringBuilder svg = frame(id, bars.size(), title, xLabel, yLabel);
        for (int i = 0; i <= 4; i++) {
            svg.append(yTick(py(maxY * i / 4, maxY), format(maxY * i / 4)));
        }
        double slot = (double) (WIDTH - LEFT - RIGHT) / Math.max(1, bars.size());
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double x = LEFT + i * slot;
            double y = py(b.count(), maxY);
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect class=\"bar\" data-count=\"%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                            + "fill=\"#1f6feb\"><title>%s: %d</title></rect>%n",
                    b.count(),
                    x + 1,
                    y,
                    Math.max(1, slot - 2),
                    HEIGHT - BOTTOM - y,
                    escape(b.range()),
                    b.count()));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\">%s</text>%n",
                    x + slot,
                    HEIGHT - BOTTOM + 14,
                    escape(b.label())));
        }
        return svg.append("</svg>\n").toString();
    }

    private static void ticks(StringBuilder svg, double maxX, double maxY) {
        for (int i = 0; i <= 4; i++) {
            double v = maxY * i / 4;
            svg.append(yTick(py(v, maxY), format(v)));
            double s = maxX * i / 4;
            svg.append(xTick(px(s, maxX), format(s)));
        }
    }

    private static void markers(StringBuilder svg, List<Marker> markers, double maxX) {
        for (Marker m : markers) {
            double x = px(m.x(), maxX);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line class=\"marker\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                            + "stroke=\"#d1242f\" stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\" fill=\"#d1242f\">%s</text>%n",
                    x,
                    TOP,
                    x,
                    HEIGHT - BOTTOM,
                    x + 3,
                    TOP + 12,
                    escape(m.label())));
        }
    }

    /** A line chart of {@code points} with a linear x axis (seconds) and a linear y axis from 0. */
    static String line(String title, String xLabel, String yLabel, List<Point> points) {
        return line(title, xLabel, yLabel, points, List.of());
    }

    /** As {@link #line(String, String, String, List)}, with a dashed line and a label at each marker. */
    static String line(String title, String xLabel, String yLabel, List<Point> points, List<Marker> markers) {
        double maxX = niceCeiling(
                Math.max(1, points.stream().mapToDouble(Point::x).max().orElse(1)));
        double maxY = niceCeiling(points.stream().mapToDouble(Point::y).max().orElse(1));
        StringBuilder svg = frame(null, points.size(), title, xLabel, yLabel);
        ticks(svg, maxX, maxY);
        markers(svg, markers, maxX);
        return polyline(svg, points, maxX, maxY, false);
    }

    /** Latency (ms) against percentile, x = log10(1/(1-p/100)), ticks at 90, 99, 99.9, 99.99 and 99.999. */
    static String percentiles(String id, String title, List<Point> percentileMillis) {
        StringBuilder svg = frame(id, percentileMillis.size(), title, "percentile", "ms");
        double maxX = 5;
        double maxY = niceCeiling(
                percentileMillis.stream().mapToDouble(Point::y).max().orElse(1));
        String[] labels = {"0", "90", "99", "99.9", "99.99", "99.999"};
        for (int i = 0; i <= 5; i++) {
            svg.append(xTick(px(i, maxX), labels[i]));
        }
        for (int i = 0; i <= 4; i++) {
            svg.append(yTick(py(maxY * i / 4, maxY), format(maxY * i / 4)));
        }
        return polyline(svg, percentileMillis, maxX, maxY, true);
    }

    /** The x position of a percentile on the log axis. */
    static double logAxis(double percentile) {
        return Math.log10(1 / (1 - Math.min(percentile, 99.999) / 100));
    }

    private static StringBuilder frame(String id, int points, String title, String xLabel, String yLabel) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\"%s data-points=\"%d\" width=\"%d\" height=\"%d\" "
                        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n",
                id == null ? "" : " class=\"chart\" id=\"" + escape(id) + "\"",
                points,
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT));
        svg.append(String.format(Locale.ROOT, "<title>%s</title>%n", escape(title)));
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " + "stroke=\"#888\"/>%n",
                LEFT,
                TOP,
                WIDTH - LEFT - RIGHT,
                HEIGHT - TOP - BOTTOM));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (WIDTH + LEFT) / 2,
                HEIGHT - 5,
                escape(xLabel)));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" " + "text-anchor=\"middle\">%s</text>%n",
                HEIGHT / 2,
                HEIGHT / 2,
                escape(yLabel)));
        return svg;
    }

    private static String polyline(StringBuilder svg, List<Point> points, double maxX, double maxY, boolean dots) {
        StringBuilder coords = new StringBuilder();
        for (Point p : points) {
            coords.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(p.x(), maxX), py(p.y(), maxY)));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<polyline class=\"data\" data-points=\"%d\" fill=\"none\" stroke=\"#1f6feb\" "
                        + "stroke-width=\"1.5\" points=\"%s\"/>%n",
                points.size(),
                coords.toString().trim()));
        if (dots) {
            for (Point p : points) {
                svg.append(String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"#1f6feb\"/>%n",
                        px(p.x(), maxX),
                        py(p.y(), maxY)));
            }
        }
        return svg.append("</svg>\n").toString();
    }

    private static String xTick(double x, String label) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>"
                        + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x,
                HEIGHT - BOTTOM,
                x,
                HEIGHT - BOTTOM + 4,
                x,
                HEIGHT - BOTTOM + 16,
                label);
    }

    private static String yTick(double y, String label) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                        + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT,
                y,
                WIDTH - RIGHT,
                y,
                LEFT - 4,
                y + 4,
                label);
    }

    static double px(double x, double maxX) {
        return LEFT + (WIDTH - LEFT - RIGHT) * Math.max(0, Math.min(x, maxX)) / maxX;
    }

    static double py(double y, double maxY) {
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * Math.max(0, Math.min(y, maxY)) / maxY;
    }

    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(double v) {
        return v >= 100 || v == Math.rint(v)
                ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
