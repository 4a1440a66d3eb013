package dev.doorbell.fleet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One of a run's slowest devices, by its longest PERSISTED latency.
 *
 * @param deviceId the device
 * @param frames frames of it acknowledged PERSISTED
 * @param meanMillis their mean PERSISTED latency
 * @param maxMillis the longest
 * @param reconnects Welcomes after its first
 * @param errors uplink Error messages and refusals it had
 */
record SlowDevice(String deviceId, long frames, double meanMillis, double maxMillis, long reconnects, long errors) {
    /** How many a report lists. */
    static final int SHOWN = 10;

    static final Comparator<SlowDevice> SLOWEST_FIRST = Comparator.comparingDouble(SlowDevice::maxMillis)
            .thenComparingDouble(SlowDevice::meanMillis)
            .reversed()
            .thenComparing(SlowDevice::deviceId);

    /** The {@link #SHOWN} slowest of {@code devices}. */
    static List<SlowDevice> slowest(List<SlowDevice> devices) {
        return devices.stream().sorted(SLOWEST_FIRST).limit(SHOWN).toList();
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", deviceId);
        m.put("frames", frames);
        m.put("meanMillis", meanMillis);
        m.put("maxMillis", maxMillis);
        m.put("reconnects", reconnects);
        m.put("errors", errors);
        return m;
    }

    static List<Object> toList(List<SlowDevice> devices) {
        List<Object> out = new ArrayList<>();
        devices.forEach(d -> out.add(d.toMap()));
        return out;
    }

    /** The {@code slowestDevices} of a report.json; empty for a report written before it. */
    static List<SlowDevice> fromReport(Map<String, Object> report) {
        List<SlowDevice> out = new ArrayList<>();
        if (report.get("slowestDevices") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("device") instanceof String id) {
                    out.add(new SlowDevice(
                            id,
                            n(m, "frames"),
                            d(m, "meanMillis"),
                            d(m, "maxMillis"),
                            n(m, "reconnects"),
                            n(m, "errors")));
                }
            }
        }
        return out;
    }

    private static long n(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number v ? v.longValue() : 0;
    }

    private static double d(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number v ? v.doubleValue() : 0;
    }
}
