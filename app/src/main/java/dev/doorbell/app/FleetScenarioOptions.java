package dev.doorbell.app;

import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.RateConverter;
import dev.doorbell.fleet.FleetScenario;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The `fleet --scenario` options: what happens to the fleet while it sends, and each scenario's parameters. */
public final class FleetScenarioOptions {
    @Option(
            names = "--scenario",
            paramLabel = "NAME",
            defaultValue = "steady",
            description = "steady, reconnect-storm, churn or slow-uplink (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(
            names = "--storm-at",
            paramLabel = "DURATION",
            defaultValue = "20s",
            converter = DurationConverter.class,
            description = "reconnect-storm: when the devices drop their connections, from the start of the run; put it "
                    + "after the ramp (default: ${DEFAULT-VALUE}).")
    Duration stormAt;

    @Option(
            names = "--storm-fraction",
            paramLabel = "F",
            defaultValue = "1.0",
            description = "reconnect-storm: fraction of the devices that drop, in (0, 1], chosen by --seed (default: "
                    + "${DEFAULT-VALUE}).")
    double stormFraction;

    @Option(
            names = "--storm-settle",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "reconnect-storm: latency after the last device is back that still counts as the storm's "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration stormSettle;

    @Option(
            names = "--churn-rate",
            paramLabel = "N/s",
            defaultValue = "1/s",
            converter = RateConverter.class,
            description = "churn: devices that drop their connection per second, Poisson, over the whole run (default: "
                    + "${DEFAULT-VALUE}).")
    String churnRate;

    @Option(
            names = "--slow-delay",
            paramLabel = "DURATION",
            defaultValue = "200ms",
            converter = DurationConverter.class,
            description = "slow-uplink: the uplink's messages (Welcome, acks) are delayed by a per-connection constant "
                    + "in [0, T] (default: ${DEFAULT-VALUE}).")
    Duration slowDelay;

    @Option(
            names = "--slow-stall-rate",
            paramLabel = "F",
            defaultValue = "0",
            description = "slow-uplink: fraction of connections that also stall one direction (default: "
                    + "${DEFAULT-VALUE}).")
    double slowStallRate;

    @Option(
            names = "--slow-stall",
            paramLabel = "DURATION",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "slow-uplink: longest stall (default: ${DEFAULT-VALUE}).")
    Duration slowStall;

    /**
     * The scenario these options name, with {@code seed} choosing the storm's devices, the churn's and the proxy's
     * draws; throws IllegalArgumentException naming the option when one is out of range.
     */
    FleetScenario build(String uplinkHost, long seed) {
        return switch (name) {
            case "steady" -> FleetScenario.steady();
            case "reconnect-storm" -> FleetScenario.reconnectStorm(stormAt, stormFraction, stormSettle, seed);
            case "churn" -> FleetScenario.churn(RateConverter.perSecond(churnRate), seed);
            case "slow-uplink" -> {
                requireLoopback(uplinkHost);
                if (!(slowStallRate >= 0 && slowStallRate <= 1)) {
                    throw new IllegalArgumentException("--slow-stall-rate must be in [0, 1], got " + slowStallRate);
                }
                yield FleetScenario.slowUplink(slowDelay, slowStallRate, slowStall, seed);
            }
            default ->
                throw new IllegalArgumentException(
                        "--scenario must be one of " + FleetScenario.NAMES + ", got '" + name + "'");
        };
    }

    boolean steady() {
        return "steady".equals(name);
    }

    /** The proxy of a slow uplink listens on the uplink's own address, so that address must be loopback. */
    private static void requireLoopback(String host) {
        try {
            if (!InetAddress.getByName(host).isLoopbackAddress()) {
                throw new IllegalArgumentException(
                        "--scenario slow-uplink runs a proxy on loopback, so --uplink must be on " + "127.0.0.0/8, not "
                                + host);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--uplink host '" + host + "' does not resolve", e);
        }
    }
}
