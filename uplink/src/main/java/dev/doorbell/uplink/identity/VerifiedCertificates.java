package dev.doorbell.uplink.identity;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Certificates already found to be signed by the fleet CA, by their exact encoded bytes (never by a digest or a
 * serial, so that no other certificate can ever match), least recently used first out beyond {@code capacity}.
 * A reconnect storm of known devices then costs no signature check. Thread-safe; held briefly per handshake.
 */
final class VerifiedCertificates {
    private final int capacity;
    private final LinkedHashMap<Encoded, Boolean> entries;

    VerifiedCertificates(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("cache size must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Encoded, Boolean> eldest) {
                return size() > VerifiedCertificates.this.capacity;
            }
        };
    }

    synchronized boolean contains(byte[] encoded) {
        return entries.get(new Encoded(encoded)) != null;
    }

    synchronized void add(byte[] encoded) {
        if (capacity > 0) {
            entries.put(new Encoded(encoded.clone()), Boolean.TRUE);
        }
    }

    synchronized int size() {
        return entries.size();
    }

    /** A byte array compared by content; the array is never changed after it is wrapped. */
    private static final class Encoded {
        private final byte[] bytes;
        private final int hash;

        Encoded(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Encoded e && e.hash == hash && Arrays.equals(e.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
