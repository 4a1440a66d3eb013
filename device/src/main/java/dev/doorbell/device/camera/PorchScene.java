package dev.doorbell.device.camera;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Composite;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.List;

/**
 * A seeded synthetic porch, as a doorbell by the path would see it: a house wall with a door, a doormat and a
 * porch light on the left, a street with cars behind a lawn on the right, a pavement in front. Daylight drifts and
 * clouds pass; people walk by and cars drive past; visitors walk up to the door, press the bell (its push is the
 * small dark box right of the door), wait, and go in when the door opens or walk away when nobody answers. Frame
 * pixels are a pure function of (profile, seed, rates, time): the same inputs always give the same image.
 *
 * <p>Not thread-safe in the sense that one image must not be rendered into by two threads at once; different
 * images may be rendered concurrently.
 */
public final class PorchScene {
    private static final double LAMP_ON_BELOW = 0.6;

    private static final Color SKY = new Color(140, 190, 235);
    private static final Color STREET = new Color(95, 95, 100);
    private static final Color KERB = new Color(150, 150, 145);
    private static final Color LAWN = new Color(85, 140, 65);
    private static final Color BUSH = new Color(40, 90, 40);
    private static final Color PAVEMENT = new Color(175, 170, 160);
    private static final Color WALL = new Color(205, 180, 150);
    private static final Color SIDING = new Color(180, 155, 125);
    private static final Color ROOF = new Color(85, 60, 55);
    private static final Color WINDOW = new Color(120, 150, 175);
    private static final Color FRAME = new Color(240, 240, 235);
    private static final Color DOOR = new Color(115, 60, 35);
    private static final Color DOOR_PANEL = new Color(95, 48, 28);
    private static final Color BRASS = new Color(210, 170, 60);
    private static final Color HALL = new Color(45, 35, 30);
    private static final Color MAT = new Color(75, 55, 40);
    private static final Color LAMP = new Color(40, 40, 40);
    private static final Color BULB_OFF = new Color(200, 200, 190);
    private static final Color BULB_ON = new Color(255, 235, 170);

    private final Profile profile;
    private final int width;
    private final int height;
    private final PoissonTimeline crossings;
    private final Visitors visitors;
    private final Daylight daylight;
    private final SensorNoise noise;

    /**
     * @param crossingsPerMinute mean people and cars passing per minute; 0 for an empty street
     * @param cloudsPerHour mean clouds per hour that dim the light for a minute or so
     */
    public PorchScene(Profile profile, long seed, double crossingsPerMinute, double cloudsPerHour) {
        this(profile, seed, crossingsPerMinute, cloudsPerHour, 0);
    }

    /**
     * @param crossingsPerMinute mean people and cars passing per minute; 0 for an empty street
     * @param cloudsPerHour mean clouds per hour that dim the light for a minute or so
     * @param visitorsPerHour mean visitors per hour who come to the door and ring; 0 for none
     */
    public PorchScene(
            Profile profile, long seed, double crossingsPerMinute, double cloudsPerHour, double visitorsPerHour) {
        this(profile, seed, crossingsPerMinute, cloudsPerHour, new Visitors(seed, visitorsPerHour));
    }

    /** A scene that shares its visitors with a camera's ring schedule. */
    PorchScene(Profile profile, long seed, double crossingsPerMinute, double cloudsPerHour, Visitors visitors) {
        this.profile = profile;
        this.width = profile.width();
        this.height = profile.height();
        this.crossings = new PoissonTimeline(Seeds.mix(seed, 0x43524F53L), crossingsPerMinute / 60.0);
        this.visitors = visitors;
        this.daylight = new Daylight(seed, cloudsPerHour);
        this.noise = new SensorNoise(Seeds.mix(seed, 0x4E4F4953L), width * height);
    }

    public Profile profile() {
        return profile;
    }

    /** A new image of the profile's size and the type {@link #render(long, BufferedImage)} draws into. */
    public BufferedImage newImage() {
        return new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    }

    public BufferedImage render(long timeMicros) {
        BufferedImage image = newImage();
        render(timeMicros, image);
        return image;
    }

    /** Draws the scene at {@code timeMicros} (since the Unix epoch) into {@code image}, overwriting every pixel. */
    public void render(long timeMicros, BufferedImage image) {
        render(timeMicros, timeMicros, image);
    }

    /**
     * Draws the scene as it is at {@code sceneMicros}, stamped with the time {@code stampMicros}: a camera on the wall
     * clock replays the same scene in every run while its overlay shows the real time.
     */
    public void render(long sceneMicros, long stampMicros, BufferedImage image) {
        long timeMicros = sceneMicros;
        if (image.getType() != BufferedImage.TYPE_INT_RGB || image.getWidth() != width || image.getHeight() != height) {
            throw new IllegalArgumentException("scene renders into " + width + "x" + height + " TYPE_INT_RGB images");
        }
        double light = daylight.level(timeMicros);
        List<Crossing> visible = crossingsAt(timeMicros);
        List<Visitor> callers = visitors.at(timeMicros);
        Graphics2D g = image.createGraphics();
        try {
            drawBackground(g, light);
            for (Crossing c : visible) {
                if (c.kind() == Crossing.Kind.CAR) {
                    c.draw(g, width, height, timeMicros, light);
                }
            }
            drawHouse(g, light);
            double doorOpen = 0;
            for (Visitor v : callers) {
                doorOpen = Math.max(doorOpen, v.doorOpenAt(timeMicros));
            }
            if (doorOpen > 0) {
                drawOpenDoor(g, light, doorOpen);
            }
            for (Visitor v : callers) {
                v.draw(g, width, height, timeMicros, light);
            }
            for (Crossing c : visible) {
                if (c.kind() != Crossing.Kind.CAR) {
                    c.draw(g, width, height, timeMicros, light);
                }
            }
        } finally {
            g.dispose();
        }
        noise.apply(((DataBufferInt) image.getRaster().getDataBuffer()).getData(), timeMicros);
        Graphics2D overlay = image.createGraphics();
        try {
            TimestampOverlay.draw(overlay, width, height, stampMicros);
        } finally {
            overlay.dispose();
        }
    }

    /** The light level at {@code timeMicros}, 0.25 to 1.0. */
    public double lightLevel(long timeMicros) {
        return daylight.level(timeMicros);
    }

    /** How many people and cars are in view at {@code timeMicros}. */
    public int crossingsInView(long timeMicros) {
        return crossingsAt(timeMicros).size();
    }

    /** How many visitors are in view at {@code timeMicros}. */
    public int visitorsInView(long timeMicros) {
        return visitors.at(timeMicros).size();
    }

    /** Whether a visitor stands at the door at {@code timeMicros}, from arriving until turning to leave. */
    public boolean visitorAtDoor(long timeMicros) {
        for (Visitor v : visitors.at(timeMicros)) {
            if (v.atDoorAt(timeMicros)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The bell presses in {@code [fromMicros, toMicros)}, in time order: every one by a visitor who is in view then.
     */
    public List<Long> pressesBetween(long fromMicros, long toMicros) {
        return visitors.pressesBetween(fromMicros, toMicros);
    }

    /** How many visitors in {@code [fromMicros, toMicros)} walked away without the door being opened for them. */
    public long visitorsUnansweredBetween(long fromMicros, long toMicros) {
        return visitors.during(fromMicros, toMicros).stream()
                .filter(v -> v.startMicros() >= fromMicros && !v.answered())
                .count();
    }

    private List<Crossing> crossingsAt(long timeMicros) {
        List<Crossing> out = new ArrayList<>();
        for (PoissonTimeline.Arrival a : crossings.between(timeMicros - Crossing.MAX_DURATION_MICROS, timeMicros + 1)) {
            Crossing c = Crossing.from(a);
            if (c.visibleAt(timeMicros)) {
                out.add(c);
            }
        }
        return out;
    }

    private void drawBackground(Graphics2D g, double light) {
        for (int band = 0; band < 6; band++) {
            g.setColor(Daylight.shade(SKY, light * (0.86 + 0.03 * band)));
            g.fillRect(0, y(0.07 * band), width, y(0.07 * (band + 1)) - y(0.07 * band));
        }
        fill(g, STREET, light, 0, 0.42, 1, 0.50);
        fill(g, KERB, light, 0, 0.50, 1, 0.52);
        fill(g, LAWN, light, 0, 0.52, 1, 0.88);
        fill(g, PAVEMENT, light, 0, 0.88, 1, 1);
        g.setColor(Daylight.shade(BUSH, light));
        g.fillOval(x(0.60), y(0.74), x(0.12), y(0.16));
        g.fillOval(x(0.68), y(0.77), x(0.10), y(0.12));
        g.fillOval(x(0.90), y(0.72), x(0.14), y(0.18));
    }

    private void drawHouse(Graphics2D g, double light) {
        fill(g, WALL, light, 0, 0.12, 0.55, 0.88);
        g.setColor(Daylight.shade(SIDING, light));
        for (double line = 0.16; line < 0.88; line += 0.05) {
            g.fillRect(0, y(line), x(0.55), Math.max(1, height / 240));
        }
        fill(g, ROOF, light, 0, 0.05, 0.58, 0.12);
        fill(g, FRAME, light, 0.035, 0.29, 0.145, 0.56);
        fill(g, WINDOW, light, 0.045, 0.305, 0.135, 0.545);
        fill(g, FRAME, light, 0.087, 0.305, 0.093, 0.545);
        fill(g, FRAME, light, 0.19, 0.34, 0.35, 0.88);
        fill(g, DOOR, light, 0.2, 0.36, 0.34, 0.88);
        fill(g, DOOR_PANEL, light, 0.215, 0.39, 0.325, 0.58);
        fill(g, DOOR_PANEL, light, 0.215, 0.64, 0.325, 0.85);
        g.setColor(Daylight.shade(BRASS, light));
        g.fillOval(x(0.315), y(0.60), Math.max(2, x(0.012)), Math.max(2, x(0.012)));
        fill(g, MAT, light, 0.18, 0.88, 0.36, 0.92);
        fill(g, LAMP, light, 0.37, 0.58, 0.385, 0.62);
        drawLamp(g, light);
    }

    /** The door swinging inwards: a dark hall where it was, with the door's edge narrowing against the hinge side. */
    private void drawOpenDoor(Graphics2D g, double light, double open) {
        fill(g, HALL, light, 0.2, 0.36, 0.34, 0.88);
        fill(g, DOOR, light, 0.2, 0.36, 0.2 + 0.14 * (1 - 0.85 * open), 0.88);
    }

    /**
     * The porch light comes on as the light fades. Its glow fades in over a range of light levels rather than
     * switching, as a dusk sensor with a slow driver would, so that it is no motion.
     */
    private void drawLamp(Graphics2D g, double light) {
        double on = Math.max(0, Math.min(1, (LAMP_ON_BELOW - light) / 0.1));
        fill(g, LAMP, light, 0.385, 0.40, 0.415, 0.42);
        fill(g, LAMP, light, 0.39, 0.42, 0.41, 0.48);
        Color bulb = on > 0 ? BULB_ON : Daylight.shade(BULB_OFF, light);
        fill(g, bulb, 1.0, 0.393, 0.425, 0.407, 0.475);
        if (on > 0) {
            Composite before = g.getComposite();
            g.setColor(BULB_ON);
            for (int ring = 1; ring <= 3; ring++) {
                g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, (float) (0.12 * on)));
                double r = 0.02 * ring;
                g.fillOval(x(0.4 - r), y(0.45) - x(r), 2 * x(r), 2 * x(r));
            }
            g.setComposite(before);
        }
    }

    private void fill(Graphics2D g, Color c, double light, double x0, double y0, double x1, double y1) {
        g.setColor(Daylight.shade(c, light));
        g.fillRect(x(x0), y(y0), x(x1) - x(x0), y(y1) - y(y0));
    }

    private int x(double fraction) {
        return (int) Math.round(fraction * width);
    }

    private int y(double fraction) {
        return (int) Math.round(fraction * height);
    }
}
