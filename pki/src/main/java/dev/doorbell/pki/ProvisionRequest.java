package dev.doorbell.pki;

import dev.doorbell.proto.DeviceIds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What to provision. Validated on construction, so that a bad device id or name is refused before anything is
 * written; every message says what is allowed.
 *
 * @param out the fleet directory
 * @param deviceIds devices named explicitly ({@code --device-id}), made in this order
 * @param numbered how many more devices to make with numbered ids {@code <prefix>-0001, ...}
 * @param prefix the prefix of numbered ids
 * @param uplinkNames extra DNS names or IPs for the server certificate (a new fleet only)
 * @param validity lifetime of the device and server certificates
 * @param force replace the fleet in {@code out} if there is one
 * @param add add devices to the existing fleet in {@code out}, with its CA
 * @param threads worker threads for key generation and file writes
 */
public record ProvisionRequest(
        Path out,
        List<String> deviceIds,
        int numbered,
        String prefix,
        List<String> uplinkNames,
        Duration validity,
        boolean force,
        boolean add,
        int threads) {
    public static final String DEFAULT_PREFIX = "doorbell";
    public static final int DEFAULT_VALIDITY_DAYS = 365;

    public ProvisionRequest {
        if (out == null) {
            throw new IllegalArgumentException("no output directory given");
        }
        deviceIds = List.copyOf(deviceIds);
        uplinkNames = List.copyOf(uplinkNames);
        Set<String> seen = new HashSet<>();
        for (String id : deviceIds) {
            if (!seen.add(DeviceIds.require(id))) {
                throw new IllegalArgumentException("device id '" + id + "' is given twice");
            }
            if (ConformanceDevices.isReserved(id)) {
                throw new IllegalArgumentException("device id '" + id + "' starts with '" + ConformanceDevices.PREFIX
                        + "', which is reserved for the conformance suite's own devices (provision --conformance)");
            }
        }
        if (numbered < 0) {
            throw new IllegalArgumentException("the number of devices must be 0 or more, not " + numbered);
        }
        String longestNumbered =
                prefix + "-" + "0".repeat(Math.max(4, String.valueOf(numbered).length()));
        if (numbered > 0 && !DeviceIds.isValid(longestNumbered)) {
            throw new IllegalArgumentException("invalid prefix '" + prefix + "': '" + longestNumbered + "' must be a "
                    + "device id, and a device id is " + DeviceIds.RULE);
        }
        if (numbered > 0 && ConformanceDevices.isReserved(longestNumbered)) {
            throw new IllegalArgumentException("invalid prefix '" + prefix + "': ids starting with '"
                    + ConformanceDevices.PREFIX + "' are reserved for the conformance suite's own devices");
        }
        if (validity == null || validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("certificate validity must be at least one day");
        }
        if (force && add) {
            throw new IllegalArgumentException("--force replaces a fleet and --add extends one: give only one of them");
        }
        if (add && deviceIds.isEmpty() && numbered == 0) {
            throw new IllegalArgumentException("--add needs devices to add (--devices N or --device-id ID)");
        }
        if (add && !uplinkNames.isEmpty()) {
            throw new IllegalArgumentException("--uplink-name applies to a new fleet; --add leaves uplink/ as it is");
        }
        ServerNames.parse(uplinkNames);
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
    }

    /** A request for {@code numbered} devices in {@code out} with every other setting at its default. */
    public static ProvisionRequest of(Path out, int numbered) {
        return new ProvisionRequest(
                out,
                List.of(),
                numbered,
                DEFAULT_PREFIX,
                List.of(),
                Duration.ofDays(DEFAULT_VALIDITY_DAYS),
                false,
                false,
                defaultThreads());
    }

    /**
     * Many more threads than cores: most of a device is waiting for fsync (six per device), and concurrent fsyncs share
     * a journal commit. On 2 cores 32 threads beat 8 in each of two paired runs of 3,000 devices (docs/FLEET.md).
     */
    public static int defaultThreads() {
        return Math.max(32, 8 * Runtime.getRuntime().availableProcessors());
    }

    public ProvisionRequest withDeviceIds(List<String> ids) {
        return new ProvisionRequest(out, ids, numbered, prefix, uplinkNames, validity, force, add, threads);
    }

    public ProvisionRequest withUplinkNames(List<String> names) {
        return new ProvisionRequest(out, deviceIds, numbered, prefix, names, validity, force, add, threads);
    }

    public ProvisionRequest withForce(boolean replace) {
        return new ProvisionRequest(out, deviceIds, numbered, prefix, uplinkNames, validity, replace, add, threads);
    }

    public ProvisionRequest withAdd(boolean extend) {
        return new ProvisionRequest(out, deviceIds, numbered, prefix, uplinkNames, validity, force, extend, threads);
    }

    /**
     * The ids this request makes, given the ids the fleet has already: the explicit ids, then {@code numbered} ids
     * {@code <prefix>-NNNN} counting from 1 and skipping every id that is taken. Four digits, more past 9999.
     */
    public List<String> resolveIds(Set<String> existing) {
        List<String> ids = new ArrayList<>(deviceIds);
        Set<String> taken = new HashSet<>(existing);
        taken.addAll(deviceIds);
        int width = Math.max(
                4, String.valueOf(existing.size() + deviceIds.size() + numbered).length());
        for (int n = 1; ids.size() < deviceIds.size() + numbered; n++) {
            String id = String.format("%s-%0" + width + "d", prefix, n);
            if (taken.add(id)) {
                ids.add(DeviceIds.require(id));
            }
        }
        return ids;
    }
}
