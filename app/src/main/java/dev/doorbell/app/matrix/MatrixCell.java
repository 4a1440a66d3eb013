package dev.doorbell.app.matrix;

/**
 * What one layer made of one fault.
 *
 * @param evidence what the layer printed or counted (the first finding and how many), or why it saw nothing
 */
public record MatrixCell(Layer layer, boolean caught, boolean expected, String evidence) {
    public boolean matches() {
        return caught == expected;
    }
}
