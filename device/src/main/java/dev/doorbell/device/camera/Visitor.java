package dev.doorbell.device.camera;

import java.awt.Color;
import java.awt.Graphics2D;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Someone who comes to the door and rings: walks up from one edge of the pavement to the bell, waits a moment,
 * presses (an impatient one presses again), and then either the door opens and they go in, or they give up and
 * walk away before anyone answers. Every press of the simulated button comes from one of them, so the frames
 * around a press show who pressed it. Everything is drawn from the seed of the arrival, and the visitor's place
 * and pose are pure functions of time.
 *
 * @param pressesMicros when the button is pressed, in order (one or two)
 * @param doorOpensMicros when the door opens for them, or {@code -1} when nobody answers and they leave
 * @param leavesMicros when they turn and walk away (unanswered), or step through the open door (answered)
 */
record Visitor(
        long startMicros,
        boolean leftToRight,
        double speed,
        double size,
        List<Long> pressesMicros,
        long doorOpensMicros,
        long leavesMicros,
        Color main,
        Color second,
        Color skin) {

    /** No visit lasts longer than this; the scene looks back this far for visitors still in view. */
    static final long MAX_DURATION_MICROS = 50_000_000L;

    /** Where a visitor stands to reach the bell, a hand's length right of the door, in frame widths. */
    static final double STAND_X = 0.32;

    static final double FEET_Y = 0.905;

    /** The bell push beside the door frame, where the hand goes on a press. */
    static final double BELL_X = 0.378;

    static final double BELL_Y = 0.60;

    private static final long ARM_BEFORE_MICROS = 400_000L;
    private static final long ARM_AFTER_MICROS = 300_000L;
    private static final long STEP_IN_MICROS = 1_200_000L;
    private static final long DOOR_CLOSES_AFTER_MICROS = 2_400_000L;

    static Visitor from(PoissonTimeline.Arrival arrival) {
        SplittableRandom r = new SplittableRandom(arrival.seed());
        boolean leftToRight = r.nextBoolean();
        double speed = 0.08 + 0.08 * r.nextDouble();
        double size = 0.85 + 0.3 * r.nextDouble();
        long arrives = arrival.atMicros() + walkMicros(leftToRight, speed);
        long firstPress = arrives + 500_000L + r.nextLong(7_500_000L);
        List<Long> presses;
        if (r.nextDouble() < 0.45) {
            presses = List.of(firstPress, firstPress + 6_000_000L + r.nextLong(6_000_000L));
        } else {
            presses = List.of(firstPress);
        }
        return finish(r, arrival.atMicros(), leftToRight, speed, size, presses);
    }

    /**
     * The visitor behind a press asked for at {@code pressMicros} (a demo's {@code --ring-at}): they press once,
     * exactly then, after standing still at the bell for {@code quietMicros}, so that a camera whose clip of their
     * walk has ended by then records the press as a ring clip with them in its pre-roll.
     */
    static Visitor pressingAt(long seed, long pressMicros, long quietMicros) {
        SplittableRandom r = new SplittableRandom(Seeds.mix(seed, pressMicros));
        boolean leftToRight = r.nextBoolean();
        double speed = 0.08 + 0.08 * r.nextDouble();
        double size = 0.85 + 0.3 * r.nextDouble();
        long start = pressMicros - quietMicros - walkMicros(leftToRight, speed);
        return finish(r, start, leftToRight, speed, size, List.of(pressMicros));
    }

    private static Visitor finish(
            SplittableRandom r, long start, boolean leftToRight, double speed, double size, List<Long> presses) {
        long lastPress = presses.get(presses.size() - 1);
        boolean answered = r.nextDouble() < 0.55;
        long doorOpens = answered ? lastPress + 3_000_000L + r.nextLong(5_000_000L) : -1;
        long leaves = answered ? doorOpens + STEP_IN_MICROS : lastPress + 3_000_000L + r.nextLong(7_000_000L);
        Color main = Color.getHSBColor(
                (float) r.nextDouble(), 0.35f + 0.5f * (float) r.nextDouble(), 0.5f + 0.5f * (float) r.nextDouble());
        Color second = Color.getHSBColor(
                (float) r.nextDouble(), 0.3f * (float) r.nextDouble(), 0.15f + 0.4f * (float) r.nextDouble());
        Color skin = Crossing.SKIN[r.nextInt(Crossing.SKIN.length)];
        return new Visitor(start, leftToRight, speed, size, presses, doorOpens, leaves, main, second, skin);
    }

    /** The walk from the edge they enter at to the bell. */
    private static long walkMicros(boolean leftToRight, double speed) {
        double distance = leftToRight ? STAND_X + 0.1 : 1.1 - STAND_X;
        return (long) (distance / speed * 1e6);
    }

    boolean answered() {
        return doorOpensMicros >= 0;
    }

    long endMicros() {
        return answered() ? doorOpensMicros + DOOR_CLOSES_AFTER_MICROS : leavesMicros + walkMicros(leftToRight, speed);
    }

    boolean visibleAt(long timeMicros) {
        return timeMicros >= startMicros && timeMicros < endMicros();
    }

    /** Whether they stand at the door, between arriving and leaving: what a ring clip must show. */
    boolean atDoorAt(long timeMicros) {
        return timeMicros >= startMicros + walkMicros(leftToRight, speed) && timeMicros < leavesMicros;
    }

    /** How far the door is open for this visitor at {@code timeMicros}: 0 closed to 1 open. */
    double doorOpenAt(long timeMicros) {
        if (!answered() || timeMicros < doorOpensMicros || timeMicros >= endMicros()) {
            return 0;
        }
        return Math.min(1.0, (timeMicros - doorOpensMicros) / 400_000.0);
    }

    void draw(Graphics2D g, int width, int height, long timeMicros, double light) {
        long walk = walkMicros(leftToRight, speed);
        double edgeX = leftToRight ? -0.1 : 1.1;
        double x;
        double u;
        boolean moving;
        if (timeMicros < startMicros + walk) {
            u = (timeMicros - startMicros) / (double) walk;
            x = edgeX + (STAND_X - edgeX) * u;
            moving = true;
        } else if (timeMicros < leavesMicros) {
            u = 1;
            x = STAND_X;
            moving = false;
        } else if (answered()) {
            if (timeMicros >= leavesMicros + STEP_IN_MICROS / 2) {
                return;
            }
            // Steps left into the doorway and is gone half a second later, behind the door that then closes.
            u = 1;
            x = STAND_X - 0.05 * (timeMicros - leavesMicros) / (STEP_IN_MICROS / 2.0);
            moving = true;
        } else {
            u = Math.max(0, 1 - (timeMicros - leavesMicros) / (double) walk);
            x = edgeX + (STAND_X - edgeX) * u;
            moving = true;
        }
        double feet = 0.97 + (FEET_Y - 0.97) * u;
        double scale = size * (1.0 - 0.12 * u);
        int h = (int) Math.round(0.42 * scale * height);
        int cx = (int) Math.round(x * width);
        int feetY = (int) Math.round(feet * height);
        double walked = (timeMicros - startMicros) / 1e6 * speed * width;
        Crossing.drawPerson(g, cx, feetY, h, walked, moving, light, main, second, skin);
        if (pressingAt(timeMicros)) {
            drawArmToBell(g, width, height, cx, feetY, h, light);
        }
    }

    private boolean pressingAt(long timeMicros) {
        for (long press : pressesMicros) {
            if (timeMicros >= press - ARM_BEFORE_MICROS && timeMicros <= press + ARM_AFTER_MICROS) {
                return true;
            }
        }
        return false;
    }

    /** A raised arm from the shoulder to the bell push: the frames of a press show the press itself. */
    private void drawArmToBell(Graphics2D g, int width, int height, int cx, int feetY, int h, double light) {
        int shoulderY = feetY - (int) (0.46 * h) - (int) (0.36 * h) + (int) (0.06 * h);
        int armW = Math.max(2, (int) (0.06 * h));
        int handX = (int) Math.round(BELL_X * width);
        int handY = (int) Math.round(BELL_Y * height);
        int fromX = cx + Math.max(1, (int) (0.13 * h));
        g.setColor(Daylight.shade(main, light).darker());
        g.fillRect(fromX, Math.min(shoulderY, handY), Math.max(1, handX - fromX), armW);
        g.fillRect(handX - armW, Math.min(shoulderY, handY), armW, Math.abs(shoulderY - handY) + armW);
        g.setColor(Daylight.shade(skin, light));
        g.fillOval(handX - armW, handY - armW / 2, armW + 2, armW + 2);
    }
}
