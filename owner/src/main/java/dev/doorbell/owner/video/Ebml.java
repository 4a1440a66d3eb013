package dev.doorbell.owner.video;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The EBML encoding Matroska is built on (RFC 8794): an element is its ID, its data size as a variable-length integer,
 * then its data. Every size here is known before anything is written, so a file is written front to back in one
 * pass, with no seeking back to patch a size.
 */
final class Ebml {
    /** The largest data size that fits an 8-byte size field (all ones would mean "unknown size"). */
    static final long MAX_SIZE = (1L << 56) - 2;

    private Ebml() {}

    /** An element that can say how many bytes it will write before writing them. */
    abstract static class Element {
        final int id;

        Element(int id) {
            this.id = id;
        }

        abstract long dataSize();

        abstract void writeData(OutputStream out) throws IOException;

        final long totalSize() {
            long data = dataSize();
            return idLength(id) + sizeLength(data) + data;
        }

        final void write(OutputStream out) throws IOException {
            writeId(out, id);
            writeSize(out, dataSize());
            writeData(out);
        }
    }

    /** A master element: its data is its children, in order. */
    static final class Master extends Element {
        final List<Element> children = new ArrayList<>();

        Master(int id) {
            super(id);
        }

        Master add(Element child) {
            children.add(child);
            return this;
        }

        @Override
        long dataSize() {
            long size = 0;
            for (Element child : children) {
                size += child.totalSize();
            }
            return size;
        }

        @Override
        void writeData(OutputStream out) throws IOException {
            for (Element child : children) {
                child.write(out);
            }
        }
    }

    /** An element whose data is a fixed run of bytes: an integer, a float, a string or a binary. */
    static final class Leaf extends Element {
        private final byte[] data;

        Leaf(int id, byte[] data) {
            super(id);
            this.data = data.clone();
        }

        @Override
        long dataSize() {
            return data.length;
        }

        @Override
        void writeData(OutputStream out) throws IOException {
            out.write(data);
        }
    }

    /**
     * An unsigned integer always written in 8 bytes, for a position that is known only once every size is: its size
     * never depends on its value, so setting it after the layout moves nothing.
     */
    static final class Position extends Element {
        long value;

        Position(int id) {
            super(id);
        }

        @Override
        long dataSize() {
            return 8;
        }

        @Override
        void writeData(OutputStream out) throws IOException {
            out.write(bigEndian(value, 8));
        }
    }

    static Leaf uint(int id, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("element " + Integer.toHexString(id) + ": negative value " + value);
        }
        int length = 1;
        while (length < 8 && (value >>> (8 * length)) != 0) {
            length++;
        }
        return new Leaf(id, bigEndian(value, length));
    }

    static Leaf signed(int id, long value) {
        return new Leaf(id, bigEndian(value, 8));
    }

    static Leaf float64(int id, double value) {
        return new Leaf(id, bigEndian(Double.doubleToLongBits(value), 8));
    }

    static Leaf string(int id, String value) {
        return new Leaf(id, value.getBytes(StandardCharsets.UTF_8));
    }

    static Leaf binary(int id, byte[] value) {
        return new Leaf(id, value);
    }

    /** An element ID as the bytes it is written as: its leading bits already say its length. */
    static byte[] idBytes(int id) {
        return bigEndian(id, idLength(id));
    }

    static int idLength(int id) {
        if ((id & 0xFFFFFF00) == 0) {
            return 1;
        }
        if ((id & 0xFFFF0000) == 0) {
            return 2;
        }
        return (id & 0xFF000000) == 0 ? 3 : 4;
    }

    /** The fewest bytes that hold {@code size} as a variable-length integer (7 value bits per byte). */
    static int sizeLength(long size) {
        if (size < 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("EBML size out of range: " + size);
        }
        int length = 1;
        // All value bits set is reserved for "unknown size", so a value needs one bit more than its own width.
        while (size >= (1L << (7 * length)) - 1) {
            length++;
        }
        return length;
    }

    static byte[] size(long size) {
        int length = sizeLength(size);
        return bigEndian(size | (1L << (7 * length)), length);
    }

    private static void writeId(OutputStream out, int id) throws IOException {
        out.write(idBytes(id));
    }

    private static void writeSize(OutputStream out, long size) throws IOException {
        out.write(size(size));
    }

    static byte[] bigEndian(long value, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[length - 1 - i] = (byte) (value >>> (8 * i));
        }
        return bytes;
    }
}
