package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.OpenedFrame;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sheet marks what was sealed: each frame here is one flat grey whose level names it, so a thumbnail's centre
 * tells which frame it shows, and the marks are checked on the PNG's own pixels next to that picture.
 */
class ContactSheetTest {
    private static final long START_MS = 1_750_000_000_000L;
    private static final int FRAMES = 91;
    private static final int TRIGGER = 40;
    private static final int SECOND_PRESS = 73;

    @TempDir
    Path dir;

    private static int level(int seq) {
        return 30 + 2 * seq;
    }

    private static byte[] jpeg(int grey) throws IOException {
        BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(grey, grey, grey));
        g.fillRect(0, 0, 320, 240);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }

    /** A 10 fps ring clip of 91 frames: 4 s pre-roll, the press that started it, a second press 3.3 s later. */
    private static List<OpenedFrame> ringClip(boolean sealedFlags) throws IOException {
        List<OpenedFrame> frames = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            boolean pressed = sealedFlags && (i == TRIGGER || i == SECOND_PRESS);
            frames.add(new OpenedFrame(i, i == FRAMES - 1, i * 100_000L, jpeg(level(i)), 0, pressed));
        }
        return frames;
    }

    private static ClipInfo info(int preRollMs, long... ringMs) {
        ClipInfo.Builder b = ClipInfo.newBuilder()
                .setTrigger(Trigger.TRIGGER_RING)
                .setCodec(Codec.CODEC_MJPEG)
                .setWidth(320)
                .setHeight(240)
                .setFps(10)
                .setStartTimeUnixMs(START_MS)
                .setPreRollMs(preRollMs);
        for (long ms : ringMs) {
            b.addRingUnixMs(ms);
        }
        return b.build();
    }

    private static boolean near(int rgb, Color c) {
        return Math.abs(((rgb >> 16) & 0xff) - c.getRed()) < 12
                && Math.abs(((rgb >> 8) & 0xff) - c.getGreen()) < 12
                && Math.abs((rgb & 0xff) - c.getBlue()) < 12;
    }

    @Test
    void write_ringClip_marksPressesAndPreRollBoundaryOnThePixels() throws IOException {
        List<OpenedFrame> frames = ringClip(true);
        ContactSheet.Sheet sheet = ContactSheet.render(frames, info(4000, START_MS + 3_980), "t", "s");
        Path out = dir.resolve("contact-sheet.png");
        int written = ContactSheet.write(frames, info(4000, START_MS + 3_980), "t", "s", out);
        BufferedImage png = ImageIO.read(out.toFile());
        assertEquals(sheet.thumbs().size(), written);
        assertEquals(ContactSheet.MAX_THUMBS, written, "a long clip still gets 24 thumbnails");
        Map<Integer, ContactSheet.Thumb> bySeq =
                sheet.thumbs().stream().collect(Collectors.toMap(ContactSheet.Thumb::seq, Function.identity()));
        assertTrue(bySeq.containsKey(TRIGGER) && bySeq.containsKey(SECOND_PRESS), "marked frames are always shown");

        for (ContactSheet.Thumb t : sheet.thumbs()) {
            int grey = png.getRGB(t.x() + t.width() / 2, t.y() + t.height() / 2) & 0xff;
            assertTrue(Math.abs(grey - level(t.seq())) <= 1, "thumbnail of frame " + t.seq() + " shows grey " + grey);
            int borderMiddle = png.getRGB(t.x() + 1, t.y() + t.height() / 2);
            int gapLeft = png.getRGB(t.x() - ContactSheet.GAP + 2, t.y() + t.height() / 2);
            int top = png.getRGB(t.x() + t.width() / 2, t.y() + 1);
            boolean press = t.seq() == TRIGGER || t.seq() == SECOND_PRESS;
            assertEquals(press, t.press(), "frame " + t.seq());
            assertEquals(press, near(borderMiddle, ContactSheet.PRESS), "press border of frame " + t.seq());
            assertEquals(t.seq() == TRIGGER, near(gapLeft, ContactSheet.PRE_ROLL), "boundary bar at frame " + t.seq());
            boolean preRoll = t.seq() < TRIGGER;
            assertEquals(
                    preRoll || press,
                    near(top, ContactSheet.PRE_ROLL) || near(top, ContactSheet.PRESS),
                    "top edge of frame " + t.seq());
            if (!press && !preRoll) {
                assertFalse(near(top, ContactSheet.PRE_ROLL), "no pre-roll band after the trigger");
            }
        }
        int legend = png.getRGB(ContactSheet.GAP + 5, 48);
        assertTrue(near(legend, ContactSheet.PRESS), "the legend shows the press colour");
    }

    @Test
    void render_noSealedFlags_pressFoundFromClipInfoRingTime() throws IOException {
        List<OpenedFrame> frames = ringClip(false);
        ContactSheet.Sheet sheet =
                ContactSheet.render(frames, info(4000, START_MS + 3_950, START_MS + 7_250), "t", "s");
        List<Integer> pressed = sheet.thumbs().stream()
                .filter(ContactSheet.Thumb::press)
                .map(ContactSheet.Thumb::seq)
                .toList();
        assertEquals(List.of(TRIGGER, SECOND_PRESS), pressed, "a ring at 3.95 s is frame 40's, at 7.25 s frame 73's");
    }

    @Test
    void render_noClipInfo_nothingMarked() throws IOException {
        ContactSheet.Sheet sheet = ContactSheet.render(ringClip(false), null, "t", "s");
        assertTrue(sheet.thumbs().stream().noneMatch(t -> t.press() || t.trigger() || t.preRoll()));
    }
}
