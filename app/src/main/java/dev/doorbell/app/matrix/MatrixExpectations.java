package dev.doorbell.app.matrix;

import dev.doorbell.device.fault.FirmwareFault;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The matrix docs/FIRMWARE.md §6 states: which layers catch each fault mode. {@code FaultMatrixDocTest} holds the
 * table of the docs to this one, so that the exit status of {@code fault-matrix} checks what the docs promise. A fault
 * caught by no layer is here only with the docs' reason why no layer can catch it.
 */
public final class MatrixExpectations {
    /** The row of the device as it ships: no layer may flag anything. */
    public static final String BASELINE = "none";

    private static final Map<String, Set<Layer>> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put(BASELINE, EnumSet.noneOf(Layer.class));
        EXPECTED.put(FirmwareFault.STUCK_RNG.cliName(), EnumSet.of(Layer.UPLINK, Layer.BENCH, Layer.OWNER));
        EXPECTED.put(FirmwareFault.NONCE_PREFIX_REUSE.cliName(), EnumSet.of(Layer.UPLINK, Layer.BENCH));
        EXPECTED.put(FirmwareFault.CLIP_KEY_REUSE.cliName(), EnumSet.of(Layer.BENCH, Layer.OWNER));
        EXPECTED.put(FirmwareFault.COUNTER_RESET.cliName(), EnumSet.of(Layer.DEVICE, Layer.OWNER));
        EXPECTED.put(FirmwareFault.WRONG_AAD.cliName(), EnumSet.of(Layer.BENCH, Layer.OWNER));
        EXPECTED.put(FirmwareFault.TRUNCATED_TAG.cliName(), EnumSet.of(Layer.BENCH, Layer.OWNER));
        EXPECTED.put(FirmwareFault.CHAIN_ROLLBACK.cliName(), EnumSet.of(Layer.UPLINK, Layer.BENCH, Layer.OWNER));
        EXPECTED.put(FirmwareFault.CLOCK_BACKWARDS.cliName(), EnumSet.of(Layer.BENCH, Layer.OWNER));
        EXPECTED.put(FirmwareFault.FLASH_FULL.cliName(), EnumSet.of(Layer.DEVICE, Layer.OWNER));
    }

    private MatrixExpectations() {}

    /** The layers the docs say catch {@code fault}; empty when the docs state nothing for it (a new fault mode). */
    public static Optional<Set<Layer>> expected(String fault) {
        return Optional.ofNullable(EXPECTED.get(fault)).map(EnumSet::copyOf);
    }

    /** Every row the matrix runs by default: the baseline, then every fault mode of the device, in its order. */
    public static List<String> allRows() {
        List<String> rows = new ArrayList<>();
        rows.add(BASELINE);
        for (FirmwareFault f : FirmwareFault.values()) {
            rows.add(f.cliName());
        }
        return rows;
    }
}
