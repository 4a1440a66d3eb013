package dev.doorbell.device.camera;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes frames as baseline JPEG with {@code javax.imageio}. The ImageWriter and the output buffer are made once
 * and reused, because looking up and creating a writer per frame costs more than encoding a small frame.
 * Not thread-safe: one encoder per camera.
 */
public final class JpegEncoder implements AutoCloseable {
    private final float quality;
    private final ImageWriter writer;
    private final ImageWriteParam param;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
    private BufferedImage bgr;

    /** @param quality 0..1, as {@link ImageWriteParam#setCompressionQuality(float)} */
    public JpegEncoder(float quality) {
        if (!(quality >= 0f && quality <= 1f)) {
            throw new IllegalArgumentException("JPEG quality must be in [0, 1], got " + quality);
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("this JDK has no javax.imageio JPEG writer");
        }
        this.quality = quality;
        this.writer = writers.next();
        this.param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
    }

    public static JpegEncoder forProfile(Profile profile) {
        return new JpegEncoder(profile.jpegQuality());
    }

    public float quality() {
        return quality;
    }

    /** One complete JPEG image (SOI to EOI) of {@code image}. */
    public byte[] encode(BufferedImage image) {
        buffer.reset();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(buffer)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(asBgr(image), null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "JPEG encoding of a " + image.getWidth() + "x" + image.getHeight() + " frame failed", e);
        } finally {
            writer.setOutput(null);
        }
        return buffer.toByteArray();
    }

    /**
     * The JPEG writer takes a fast native path for 3-byte BGR images only; packed-int images (what the scene draws
     * into) go through a generic conversion that costs about twice as much as this copy plus the fast path.
     */
    private BufferedImage asBgr(BufferedImage image) {
        if (image.getType() != BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        if (bgr == null || bgr.getWidth() != w || bgr.getHeight() != h) {
            bgr = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        }
        int[] from = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        byte[] to = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        for (int i = 0, j = 0; i < from.length; i++, j += 3) {
            int p = from[i];
            to[j] = (byte) p;
            to[j + 1] = (byte) (p >> 8);
            to[j + 2] = (byte) (p >> 16);
        }
        return bgr;
    }

    @Override
    public void close() {
        writer.dispose();
    }
}
