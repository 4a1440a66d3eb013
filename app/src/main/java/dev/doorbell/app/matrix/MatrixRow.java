package dev.doorbell.app.matrix;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One fault mode of the matrix: each layer's cell, in {@link Layer} order.
 *
 * @param fault the {@code simulate --fault} name, or {@link MatrixExpectations#BASELINE} for the device as it ships
 * @param error why the row could not be run (its cells are then empty), or null
 */
public record MatrixRow(String fault, String effect, List<MatrixCell> cells, long millis, String error) {
    public MatrixRow {
        cells = List.copyOf(cells);
    }

    public Set<Layer> caughtBy() {
        Set<Layer> caught = EnumSet.noneOf(Layer.class);
        cells.stream().filter(MatrixCell::caught).forEach(c -> caught.add(c.layer()));
        return caught;
    }

    /** True when the row ran and every cell is as docs/FIRMWARE.md states. */
    public boolean matches() {
        return error == null
                && cells.size() == Layer.values().length
                && cells.stream().allMatch(MatrixCell::matches);
    }
}
