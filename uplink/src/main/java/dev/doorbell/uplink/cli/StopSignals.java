package dev.doorbell.uplink.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Names the signal that stops {@code serve}. The JVM runs its shutdown hooks on SIGINT, SIGTERM and SIGHUP alike and
 * cannot tell the hook which it was; these handlers note the signal, then exit as the JVM's own handlers would, so
 * that the hook runs and says "SIGINT: stopping" for a Ctrl-C. A second signal while stopping ends the process at
 * once: what was acknowledged PERSISTED is durable already, and the rest was never acknowledged.
 *
 * <p>{@code sun.misc.Signal} is the only way the JDK offers to handle a signal; JEP 260 keeps it exported from
 * {@code jdk.unsupported} for this use, and javac's "internal proprietary API" warnings about it are expected.
 */
final class StopSignals implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);
    private static final List<String> NAMES = List.of("INT", "TERM", "HUP");

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile String received;

    private StopSignals() {}

    /** Takes over the stop signals until {@link #close()}; a signal the platform lacks is left to the JVM. */
    static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : NAMES) {
            try {
                Signal signal = new Signal(name);
                signals.previous.put(signal, Signal.handle(signal, signals::handle));
            } catch (IllegalArgumentException e) {
                LOG.debug("signal {} not handled here: {}", name, e.getMessage());
            }
        }
        return signals;
    }

    /** "SIGINT", "SIGTERM" or "SIGHUP"; "shutdown" when the JVM was asked to exit in another way. */
    String cause() {
        String name = received;
        return name == null ? "shutdown" : name;
    }

    private void handle(Signal signal) {
        if (received != null) {
            LOG.warn("SIG{} while stopping after {}: exiting now", signal.getName(), received);
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
        received = "SIG" + signal.getName();
        System.exit(128 + signal.getNumber());
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
