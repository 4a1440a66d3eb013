package dev.doorbell.fleet;

/**
 * One machine's (or worker's) part of a fleet: shard {@code index} of {@code count} runs devices
 * [index*N/count, (index+1)*N/count) of the fleet's N ids, so shards partition the fleet and their runs add up
 * without two machines ever using the same device.
 */
public record Shard(int index, int count) {
    public static final Shard WHOLE = new Shard(0, 1);

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("a shard is i/n with 0 <= i < n, got " + index + "/" + count);
        }
    }

    /** Parses "i/n", e.g. "0/4". */
    public static Shard parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 1) {
            throw new IllegalArgumentException("a shard is i/n, e.g. 0/4, got '" + text + "'");
        }
        try {
            return new Shard(
                    Integer.parseInt(text.substring(0, slash).trim()),
                    Integer.parseInt(text.substring(slash + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a shard is i/n with whole numbers, got '" + text + "'", e);
        }
    }

    /** First device index of this shard in a fleet of {@code devices}. */
    public int from(int devices) {
        return (int) ((long) index * devices / count);
    }

    /** One past the last device index of this shard. */
    public int to(int devices) {
        return (int) ((long) (index + 1) * devices / count);
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
