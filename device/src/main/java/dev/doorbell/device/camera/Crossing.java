package dev.doorbell.device.camera;

import java.awt.Color;
import java.awt.Graphics2D;
import java.util.SplittableRandom;

/**
 * One passer-by in the porch scene: a person walking along the pavement or a car on the street (people who come to
 * the door are {@link Visitor}s, since each of them rings). Everything about it (kind, direction, speed, size, colours) is drawn
 * from the seed of its arrival, and its position is a pure function of time.
 */
record Crossing(
        Kind kind,
        long startMicros,
        boolean leftToRight,
        double speed,
        double size,
        double lane,
        Color main,
        Color second,
        Color skin) {

    enum Kind {
        WALKER,
        CAR
    }

    /** No crossing lasts longer than this; the scene looks back this far for crossings still in view. */
    static final long MAX_DURATION_MICROS = 40_000_000L;

    static final Color[] SKIN = {
        new Color(241, 194, 160),
        new Color(224, 172, 125),
        new Color(198, 134, 66),
        new Color(141, 85, 36),
        new Color(92, 56, 30),
    };
    private static final Color[] CAR_PAINT = {
        new Color(200, 30, 30),
        new Color(235, 235, 235),
        new Color(30, 30, 35),
        new Color(40, 70, 160),
        new Color(150, 150, 155),
        new Color(20, 110, 60),
        new Color(220, 180, 40),
    };
    private static final Color GLASS = new Color(60, 80, 100);
    private static final Color TYRE = new Color(25, 25, 25);

    static Crossing from(PoissonTimeline.Arrival arrival) {
        SplittableRandom r = new SplittableRandom(arrival.seed());
        double pick = r.nextDouble();
        Kind kind = pick < 0.4 ? Kind.CAR : Kind.WALKER;
        boolean leftToRight = r.nextBoolean();
        double speed = kind == Kind.CAR ? 0.35 + 0.45 * r.nextDouble() : 0.08 + 0.08 * r.nextDouble();
        double size = 0.85 + 0.3 * r.nextDouble();
        // Drawn and unused since visitors left this class: the draw keeps a seed's cars and walkers as they were.
        r.nextLong(9_000_000L);
        double lane = r.nextDouble();
        Color main = kind == Kind.CAR
                ? CAR_PAINT[r.nextInt(CAR_PAINT.length)]
                : Color.getHSBColor(
                        (float) r.nextDouble(),
                        0.35f + 0.5f * (float) r.nextDouble(),
                        0.5f + 0.5f * (float) r.nextDouble());
        Color second = Color.getHSBColor(
                (float) r.nextDouble(), 0.3f * (float) r.nextDouble(), 0.15f + 0.4f * (float) r.nextDouble());
        Color skin = SKIN[r.nextInt(SKIN.length)];
        return new Crossing(kind, arrival.atMicros(), leftToRight, speed, size, lane, main, second, skin);
    }

    long durationMicros() {
        double across = kind == Kind.CAR ? 1.4 : 1.2;
        return (long) (across / speed * 1e6);
    }

    boolean visibleAt(long timeMicros) {
        long dt = timeMicros - startMicros;
        return dt >= 0 && dt < durationMicros();
    }

    void draw(Graphics2D g, int width, int height, long timeMicros, double light) {
        double seconds = (timeMicros - startMicros) / 1e6;
        double walked = seconds * speed;
        switch (kind) {
            case CAR -> {
                double x = leftToRight ? -0.3 + walked : 1.1 - walked;
                drawCar(
                        g,
                        (int) Math.round(x * width),
                        (int) Math.round((0.505 + 0.01 * lane) * height),
                        (int) Math.round(0.32 * size * height),
                        light);
            }
            case WALKER -> {
                double x = leftToRight ? -0.1 + walked : 1.1 - walked;
                drawPerson(
                        g,
                        (int) Math.round(x * width),
                        (int) Math.round((0.95 + 0.035 * lane) * height),
                        (int) Math.round(0.42 * size * height),
                        walked * width,
                        true,
                        light,
                        main,
                        second,
                        skin);
            }
        }
    }

    /** A person seen from the side, legs swinging while {@code moving}: walkers and visitors alike. */
    static void drawPerson(
            Graphics2D g,
            int cx,
            int feetY,
            int h,
            double walkedPixels,
            boolean moving,
            double light,
            Color main,
            Color second,
            Color skin) {
        double phase = 2 * Math.PI * walkedPixels / Math.max(1, 0.5 * h);
        int swing = moving ? (int) Math.round(Math.sin(phase) * 0.07 * h) : 0;
        int legW = Math.max(1, (int) (0.09 * h));
        int legH = (int) (0.46 * h);
        int bodyW = Math.max(2, (int) (0.26 * h));
        int bodyH = (int) (0.36 * h);
        int head = Math.max(2, (int) (0.15 * h));
        int hip = feetY - legH;
        g.setColor(Daylight.shade(second, light));
        g.fillRect(cx - legW - 1 + swing, hip, legW, legH);
        g.fillRect(cx + 1 - swing, hip, legW, legH);
        Color shirt = Daylight.shade(main, light);
        g.setColor(shirt.darker());
        g.fillRect(cx - bodyW / 2 - legW / 2 - swing, hip - bodyH + head / 3, legW / 2 + 1, (int) (0.8 * bodyH));
        g.fillRect(cx + bodyW / 2 + swing, hip - bodyH + head / 3, legW / 2 + 1, (int) (0.8 * bodyH));
        g.setColor(shirt);
        g.fillRect(cx - bodyW / 2, hip - bodyH, bodyW, bodyH);
        g.setColor(Daylight.shade(skin, light));
        g.fillOval(cx - head / 2, hip - bodyH - head, head, head);
        g.setColor(Daylight.shade(second.darker(), light));
        g.fillArc(cx - head / 2, hip - bodyH - head, head, head, 0, 180);
    }

    private void drawCar(Graphics2D g, int x, int bottom, int length, double light) {
        int carH = length / 3;
        int body = (int) (0.6 * carH);
        g.setColor(Daylight.shade(main, light));
        g.fillRect(x, bottom - body, length, body - carH / 8);
        g.fillRect(x + length / 5, bottom - carH, (int) (0.55 * length), carH - body + 1);
        g.setColor(Daylight.shade(GLASS, light));
        g.fillRect(
                x + length / 5 + carH / 10,
                bottom - carH + carH / 10,
                (int) (0.55 * length) - carH / 5,
                carH - body - carH / 10);
        g.setColor(TYRE);
        int wheel = (int) (0.38 * carH);
        g.fillOval(x + (int) (0.15 * length), bottom - wheel, wheel, wheel);
        g.fillOval(x + (int) (0.85 * length) - wheel, bottom - wheel, wheel, wheel);
        g.setColor(new Color(255, 240, 190));
        g.fillRect(leftToRight ? x + length - 2 : x, bottom - body + 1, 2, Math.max(1, carH / 8));
    }
}
