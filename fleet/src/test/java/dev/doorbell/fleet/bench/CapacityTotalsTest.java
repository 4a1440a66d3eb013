package dev.doorbell.fleet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole-run figures of a capacity run come from the totals: the uplinks hold every process's devices, so their
 * CPU and RSS are divided by all devices, never by one process's (which printed 5 times too much with 5 processes).
 */
class CapacityTotalsTest {
    private static final long MIB = 1024 * 1024;

    /** The 50,000-device run of docs/bench/HISTORY.md: 5 fleet processes of 10,000 against 3 uplinks. */
    @Test
    void connected_fiveProcessesSharingTheUplinks_uplinkFiguresOverAllDevices() {
        List<CapacityTotals.Connected> processes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            // Each fleet process: 10,000 devices in 156 + 5i s, 1.5 ms of its own CPU and 40 KiB of its own RSS each.
            processes.add(new CapacityTotals.Connected(
                    10_000,
                    (156 + 5L * i) * 1_000_000_000L,
                    10_000 * 1_500_000L,
                    100 * MIB,
                    100 * MIB + 10_000 * 40 * 1024L));
        }
        // The three uplinks together: 2.9 ms of CPU and 49.8 KiB of RSS per device, over all 50,000.
        CapacityTotals.Uplinks uplinks = new CapacityTotals.Uplinks(
                3,
                7_000_000_000L,
                7_000_000_000L + 50_000 * 2_900_000L,
                338 * MIB,
                338 * MIB + Math.round(50_000 * 49.8 * 1024));

        List<String> lines = CapacityTotals.connected(processes, uplinks);

        assertEquals(
                List.of(
                        "RESULT whole run: 50000 devices in 5 fleet process(es) connected in 176.00 s: 284 TLS connects/s",
                        "RESULT CPU per connect: fleet 1.50 ms, uplink 2.90 ms",
                        "RESULT RSS per held device: fleet 40.0 KiB, uplink 49.8 KiB (338 MiB -> 2770 MiB, 3 process(es))"),
                lines);
    }

    @Test
    void connected_oneProcess_sameFiguresAsItsOwn() {
        CapacityTotals.Connected alone = new CapacityTotals.Connected(
                10_000, 20_000_000_000L, 15_000_000_000L, 100 * MIB, 100 * MIB + 10_000 * 37 * 1024L);
        CapacityTotals.Uplinks uplinks =
                new CapacityTotals.Uplinks(1, 0, 10_000 * 2_570_000L, 120 * MIB, 120 * MIB + 10_000 * 40 * 1024L);

        List<String> lines = CapacityTotals.connected(List.of(alone), uplinks);

        assertEquals(
                "RESULT whole run: 10000 devices in 1 fleet process(es) connected in 20.00 s: 500 TLS connects/s",
                lines.get(0));
        assertEquals("RESULT CPU per connect: fleet 1.50 ms, uplink 2.57 ms", lines.get(1));
        assertEquals(
                "RESULT RSS per held device: fleet 37.0 KiB, uplink 40.0 KiB (120 MiB -> 511 MiB, 1 process(es))",
                lines.get(2));
    }

    @Test
    void connected_uplinksNotMeasured_saysSo() {
        CapacityTotals.Connected alone = new CapacityTotals.Connected(10, 1_000_000_000L, 10_000_000L, 0, 10 * 1024);
        List<String> lines = CapacityTotals.connected(List.of(alone), new CapacityTotals.Uplinks(0, -1, -1, -1, -1));
        assertEquals("RESULT CPU per connect: fleet 1.00 ms, uplink not measured", lines.get(1));
        assertEquals("RESULT RSS per held device: fleet 1.0 KiB, uplink not measured", lines.get(2));
    }

    @Test
    void connected_uplinkRssFell_saysTheDevicesAreUnderTheNoiseInsteadOfANegativeFigure() {
        CapacityTotals.Connected alone = new CapacityTotals.Connected(200, 1_000_000_000L, 10_000_000L, 0, 200 * 1024);
        List<String> lines = CapacityTotals.connected(
                List.of(alone),
                new CapacityTotals.Uplinks(1, 0, 0, 115L * 1024 * 1024, 114L * 1024 * 1024 - 1024 * 1024 / 10 * 9));
        assertEquals(
                "RESULT RSS per held device: fleet 1.0 KiB, uplink under the noise (RSS fell by 1.9 MiB)"
                        + " (115 MiB -> 113 MiB, 1 process(es))",
                lines.get(2));
    }

    @Test
    void reconnected_fiveProcesses_ratesFromTheSlowestAndCpuOverEveryDeviceBack() {
        List<CapacityTotals.Reconnected> processes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            processes.add(new CapacityTotals.Reconnected(
                    10_000, i == 4 ? 9_990 : 10_000, (40L + i) * 1_000_000_000L, 10_000 * 1_000_000L, i));
        }
        CapacityTotals.Uplinks uplinks = new CapacityTotals.Uplinks(3, 0, 49_990 * 900_000L, -1, -1);

        List<String> lines = CapacityTotals.reconnected(processes, uplinks);

        assertEquals(
                List.of(
                        "RESULT whole run: reconnected 49990 of 50000 devices in 44.00 s: 1136 reconnects/s (all dropped at once, "
                                + "each link on its own backoff)",
                        "RESULT CPU per reconnect: fleet 1.00 ms, uplink 0.90 ms",
                        "RESULT reconnect failures: 10 retried attempts, 10 devices not back"),
                lines);
    }

    @Test
    void properties_roundTrip() {
        CapacityTotals.Connected c = new CapacityTotals.Connected(3, 4, 5, 6, 7);
        assertEquals(c, CapacityTotals.Connected.of(c.properties()));
        CapacityTotals.Reconnected r = new CapacityTotals.Reconnected(3, 2, 5, 6, 1);
        assertEquals(r, CapacityTotals.Reconnected.of(r.properties()));
    }
}
