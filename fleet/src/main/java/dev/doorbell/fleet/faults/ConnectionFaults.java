package dev.doorbell.fleet.faults;

import java.util.Random;

/**
 * The faults one connection will suffer, drawn once when it is accepted. Times are nanoseconds after the relay is
 * up; -1 means "not this kind".
 *
 * @param resetAtBytes reset once this many bytes were forwarded (both directions), or Long.MAX_VALUE
 * @param stallUp true: the device-to-uplink direction stalls; false: the other one
 * @param delayNanos constant delay of the uplink-to-device direction, 0 for none
 */
record ConnectionFaults(
        long resetAtBytes,
        long resetAtNanos,
        long stallAtNanos,
        long stallForNanos,
        boolean stallUp,
        long halfOpenAtNanos,
        long halfOpenHoldNanos,
        int oneByteBudget,
        long delayNanos) {

    static ConnectionFaults draw(FaultPlan plan, Random random) {
        // Every kind draws the same numbers whether it hits or not, so changing one rate keeps the others' schedule.
        boolean reset = random.nextDouble() < plan.resetRate();
        long resetBytes = 1 + (long) (random.nextDouble() * plan.resetAfterBytesMax());
        long resetAt = within(plan, random);
        boolean stall = random.nextDouble() < plan.stallRate();
        long stallAt = within(plan, random);
        long stallFor =
                (long) ((0.5 + random.nextDouble() / 2) * plan.stallMax().toNanos());
        boolean stallUp = random.nextBoolean();
        boolean halfOpen = random.nextDouble() < plan.halfOpenRate();
        long halfOpenAt = within(plan, random);
        boolean oneByte = random.nextDouble() < plan.oneByteRate();
        boolean delay = random.nextDouble() < plan.delayRate();
        long delayNanos = (long) (random.nextDouble() * plan.delayMax().toNanos());
        return new ConnectionFaults(
                reset ? resetBytes : Long.MAX_VALUE,
                reset ? resetAt : -1,
                stall ? stallAt : -1,
                stallFor,
                stallUp,
                halfOpen ? halfOpenAt : -1,
                plan.halfOpenHold().toNanos(),
                oneByte ? plan.oneByteBudget() : 0,
                delay ? delayNanos : 0);
    }

    private static long within(FaultPlan plan, Random random) {
        return (long) (random.nextDouble() * plan.faultWithin().toNanos());
    }

    boolean any() {
        return resetAtNanos >= 0 || stallAtNanos >= 0 || halfOpenAtNanos >= 0 || oneByteBudget > 0 || delayNanos > 0;
    }
}
