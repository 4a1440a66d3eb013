package dev.doorbell.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The run's time series, one point per progress tick (a second): devices connected, connects and their time to
 * Welcome, frames and bytes persisted, errors and reconnects. Memory is bounded for runs of any length: past
 * {@link #MAX_POINTS} points, neighbours are joined in pairs, so a day-long run keeps points of a minute or two.
 */
final class RunSeries {
    static final int MAX_POINTS = 1200;

    /**
     * One interval of the run.
     *
     * @param startMillis epoch ms at the interval's start
     * @param endMillis epoch ms at its end
     * @param connected devices connected at its end
     * @param connecting devices started or waiting to start, not yet welcomed nor failed, at its end
     * @param connectFailures devices counted as connect failures by its end
     * @param connects Welcomes in the interval, reconnects included
     * @param welcomeMeanMillis mean time to Welcome of those (from the start of connecting, or from the disconnect for
     *     a reconnect), 0 when none
     * @param welcomeMaxMillis the longest of them, 0 when none
     * @param framesPersisted frames acknowledged PERSISTED in the interval
     * @param bytesPersisted sealed bytes of those frames
     * @param errors uplink Error messages and refused clips or frames in the interval
     * @param reconnects Welcomes after a device's first in the interval
     */
    record Point(
            long startMillis,
            long endMillis,
            long connected,
            long connecting,
            long connectFailures,
            long connects,
            double welcomeMeanMillis,
            double welcomeMaxMillis,
            long framesPersisted,
            long bytesPersisted,
            long errors,
            long reconnects) {

        /** This interval followed by {@code next}: gauges at the end, counts added. */
        Point then(Point next) {
            return new Point(
                    startMillis,
                    next.endMillis,
                    next.connected,
                    next.connecting,
                    next.connectFailures,
                    connects + next.connects,
                    mean(this, next),
                    Math.max(welcomeMaxMillis, next.welcomeMaxMillis),
                    framesPersisted + next.framesPersisted,
                    bytesPersisted + next.bytesPersisted,
                    errors + next.errors,
                    reconnects + next.reconnects);
        }

        /** The same interval of another process: everything added (gauges too: their devices are others). */
        Point plus(Point o) {
            return new Point(
                    Math.min(startMillis, o.startMillis),
                    Math.max(endMillis, o.endMillis),
                    connected + o.connected,
                    connecting + o.connecting,
                    connectFailures + o.connectFailures,
                    connects + o.connects,
                    mean(this, o),
                    Math.max(welcomeMaxMillis, o.welcomeMaxMillis),
                    framesPersisted + o.framesPersisted,
                    bytesPersisted + o.bytesPersisted,
                    errors + o.errors,
                    reconnects + o.reconnects);
        }

        private static double mean(Point a, Point b) {
            long n = a.connects + b.connects;
            return n == 0 ? 0 : (a.welcomeMeanMillis * a.connects + b.welcomeMeanMillis * b.connects) / n;
        }

        double seconds() {
            return Math.max(1, endMillis - startMillis) / 1000.0;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("start", startMillis);
            m.put("end", endMillis);
            m.put("connected", connected);
            m.put("connecting", connecting);
            m.put("connectFailures", connectFailures);
            m.put("connects", connects);
            m.put("welcomeMeanMillis", welcomeMeanMillis);
            m.put("welcomeMaxMillis", welcomeMaxMillis);
            m.put("framesPersisted", framesPersisted);
            m.put("bytesPersisted", bytesPersisted);
            m.put("errors", errors);
            m.put("reconnects", reconnects);
            return m;
        }

        static Point fromMap(Map<?, ?> m) {
            return new Point(
                    n(m, "start"),
                    n(m, "end"),
                    n(m, "connected"),
                    n(m, "connecting"),
                    n(m, "connectFailures"),
                    n(m, "connects"),
                    d(m, "welcomeMeanMillis"),
                    d(m, "welcomeMaxMillis"),
                    n(m, "framesPersisted"),
                    n(m, "bytesPersisted"),
                    n(m, "errors"),
                    n(m, "reconnects"));
        }

        private static long n(Map<?, ?> m, String key) {
            return m.get(key) instanceof Number v ? v.longValue() : 0;
        }

        private static double d(Map<?, ?> m, String key) {
            return m.get(key) instanceof Number v ? v.doubleValue() : 0;
        }
    }

    private final List<Point> points = new ArrayList<>();
    private int joined = 1;
    private Point pending;
    private int pendingCount;

    /** Adds the latest interval; past the bound, points cover two, four, ... ticks each. */
    synchronized void add(Point p) {
        pending = pending == null ? p : pending.then(p);
        if (++pendingCount < joined) {
            return;
        }
        points.add(pending);
        pending = null;
        pendingCount = 0;
        if (points.size() >= MAX_POINTS) {
            List<Point> halved = new ArrayList<>(MAX_POINTS / 2);
            for (int i = 0; i + 1 < points.size(); i += 2) {
                halved.add(points.get(i).then(points.get(i + 1)));
            }
            points.clear();
            points.addAll(halved);
            joined *= 2;
        }
    }

    /** Every point, the last partial one included. */
    synchronized List<Point> points() {
        List<Point> all = new ArrayList<>(points);
        if (pending != null) {
            all.add(pending);
        }
        return all;
    }

    /**
     * The series of several processes or runs added, on a grid of epoch seconds: each run's points are keyed by the
     * second they end in (a run's own points of one second, such as its short last tick, join in time order, so its
     * gauges count once), then the runs' points of a second are added, as the latency log's intervals are.
     */
    static List<Point> merge(List<List<Point>> runs) {
        TreeMap<Long, Point> bySecond = new TreeMap<>();
        for (List<Point> run : runs) {
            TreeMap<Long, Point> own = new TreeMap<>();
            for (Point p : run) {
                own.merge(p.endMillis() / 1000, p, Point::then);
            }
            own.forEach((second, p) -> bySecond.merge(second, p, Point::plus));
        }
        return new ArrayList<>(bySecond.values());
    }

    static List<Object> toList(List<Point> points) {
        List<Object> out = new ArrayList<>(points.size());
        points.forEach(p -> out.add(p.toMap()));
        return out;
    }

    /** The {@code series} of a report.json; empty for a report written before it. */
    static List<Point> fromReport(Map<String, Object> report) {
        List<Point> out = new ArrayList<>();
        if (report.get("series") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    out.add(Point.fromMap(m));
                }
            }
        }
        return out;
    }
}
