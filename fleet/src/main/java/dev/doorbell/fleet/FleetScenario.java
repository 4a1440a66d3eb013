package dev.doorbell.fleet;

import dev.doorbell.fleet.faults.FaultPlan;
import dev.doorbell.fleet.scenario.Churn;
import dev.doorbell.fleet.scenario.ChurnResult;
import dev.doorbell.fleet.scenario.ReconnectStorm;
import dev.doorbell.fleet.scenario.SlowUplink;
import dev.doorbell.fleet.scenario.StormResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What a fleet run does to its devices besides sending (`fleet --scenario`): nothing (steady), a reconnect storm, churn
 * or a slow uplink. Storm and churn are {@link RunHook}s of the sending time ({@code fleet.scenario}) run on the
 * fleet's links; a slow uplink is the in-process {@link SlowUplink} proxy on loopback between the devices and the
 * uplink. One instance per run; it names itself in the progress line and gives report.json its {@code scenario}
 * object.
 */
public final class FleetScenario {
    /** The names accepted by {@code --scenario}. */
    public static final List<String> NAMES = List.of("steady", "reconnect-storm", "churn", "slow-uplink");

    private final String name;
    private final Map<String, Object> parameters;
    private final ReconnectStorm storm;
    private final Churn churn;
    private final FaultPlan slowPlan;
    private final long seed;
    private SlowUplink proxy;

    private FleetScenario(
            String name,
            Map<String, Object> parameters,
            ReconnectStorm storm,
            Churn churn,
            FaultPlan slowPlan,
            long seed) {
        this.name = name;
        this.parameters = parameters;
        this.storm = storm;
        this.churn = churn;
        this.slowPlan = slowPlan;
        this.seed = seed;
    }

    public static FleetScenario steady() {
        return new FleetScenario("steady", Map.of(), null, null, null, 0);
    }

    /** {@code fraction} of the devices (seeded choice) drop their connections at once, {@code at} after the start. */
    public static FleetScenario reconnectStorm(Duration at, double fraction, Duration settle, long seed) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("stormAtSeconds", at.toMillis() / 1000.0);
        p.put("fraction", fraction);
        p.put("settleSeconds", settle.toMillis() / 1000.0);
        return new FleetScenario(
                "reconnect-storm", p, new ReconnectStorm(at, settle, fraction, seed), null, null, seed);
    }

    /** Devices drop their connection at {@code leavesPerSecond} (Poisson, seeded) and rejoin by their own backoff. */
    public static FleetScenario churn(double leavesPerSecond, long seed) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("leavesPerSecond", leavesPerSecond);
        return new FleetScenario("churn", p, null, new Churn(leavesPerSecond, seed), null, seed);
    }

    /**
     * Everything the uplink sends is delayed by a per-connection constant in [0, {@code delayMax}]; with {@code
     * stallRate} > 0, that fraction of connections also stalls one direction for up to {@code stallMax}.
     */
    public static FleetScenario slowUplink(Duration delayMax, double stallRate, Duration stallMax, long seed) {
        FaultPlan plan = FaultPlan.none().withDelays(1.0, delayMax);
        if (stallRate > 0) {
            plan = plan.withStalls(stallRate, stallMax);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("delayMaxMillis", delayMax.toMillis());
        p.put("stallRate", stallRate);
        p.put("stallMaxMillis", stallMax.toMillis());
        return new FleetScenario("slow-uplink", p, null, null, plan, seed);
    }

    public String name() {
        return name;
    }

    /** The hook that acts on the running fleet ({@link RunHook#NONE} for steady and slow-uplink). */
    RunHook hook() {
        return storm != null ? storm : churn != null ? churn : RunHook.NONE;
    }

    /** Where the devices connect: the uplink, or for a slow uplink the proxy in front of it, started here. */
    InetSocketAddress route(InetSocketAddress uplink) throws InterruptedException {
        if (slowPlan == null) {
            return uplink;
        }
        proxy = SlowUplink.start(uplink, slowPlan, seed);
        return proxy.address();
    }

    /** Stops the proxy of a slow uplink, if one was started. */
    void close() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /** Seconds from the start of the run of the scenario's events, to mark on the charts. */
    List<SvgCharts.Marker> markers() {
        return storm == null
                ? List.of()
                : List.of(new SvgCharts.Marker(storm.after().toMillis() / 1000.0, "storm"));
    }

    /** The scenario's part of the progress line, after the name: reconnects and acknowledged frames lost so far. */
    String progress(long reconnects, long lostAcked) {
        String when = storm == null
                ? ""
                : String.format(Locale.ROOT, " at %ds", storm.after().toSeconds());
        return String.format(Locale.ROOT, "%s%s reconnects %d lost-acked %d", name, when, reconnects, lostAcked);
    }

    /** report.json's {@code scenario}: name, parameters, and what the scenario measured (when it has a result). */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("parameters", parameters);
        Map<String, Object> result = new LinkedHashMap<>();
        StormResult s = storm == null ? null : storm.result();
        if (s != null) {
            result.put("dropped", s.devices());
            result.put("reconnected", s.reconnected());
            result.put(
                    "allReconnectedSeconds",
                    s.allReconnected() ? s.allReconnectedAfter().toMillis() / 1000.0 : null);
            result.put("p99BeforeMillis", p99(s.before()));
            result.put("p99DuringMillis", p99(s.during()));
        }
        ChurnResult c = churn == null ? null : churn.result();
        if (c != null) {
            result.put("leaves", c.leaves());
            result.put("rejoins", c.rejoins());
            result.put("connectedAtEnd", c.connectedAtEnd());
            result.put("p99Millis", p99(c.latency()));
        }
        if (proxy != null) {
            result.put("proxyConnections", proxy.stats().connections());
            result.put("delayedConnections", proxy.stats().delayedConnections());
            result.put("stalls", proxy.stats().stalls());
        }
        m.put("result", result);
        m.put("summary", summary());
        return m;
    }

    /** One line for summary.txt. */
    String summary() {
        if (storm != null) {
            return storm.result() == null
                    ? "reconnect storm: the run ended before the storm"
                    : "reconnect storm: " + storm.result().summary();
        }
        if (churn != null) {
            return churn.result() == null
                    ? "churn: no result"
                    : "churn: " + churn.result().summary();
        }
        if (slowPlan != null) {
            return "slow uplink " + parameters
                    + (proxy == null ? "" : ": proxy " + proxy.stats().line());
        }
        return "steady";
    }

    private static double p99(Histogram micros) {
        return micros.getTotalCount() == 0 ? 0 : micros.getValueAtPercentile(99) / 1000.0;
    }

    @Override
    public String toString() {
        return "FleetScenario{" + name + " " + parameters + "}";
    }
}
