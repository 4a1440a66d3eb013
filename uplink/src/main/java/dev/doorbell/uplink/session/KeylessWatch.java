package dev.doorbell.uplink.session;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.uplink.metrics.MisuseFlag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the uplink can tell of a device's faults from public headers alone (docs/PROTOCOL.md, "Keyless flags"): a
 * nonce prefix, an HPKE encapsulation or a v1 salt the device used before for another clip (its random source is
 * stuck or its state was rolled back), and a v3 chain that forks, goes backwards or names a predecessor other than
 * the clip the uplink saw at the position before. Bytes are compared, nothing is hashed or opened.
 *
 * <p>Memory is bounded: per device the last {@link #REMEMBERED} values of each kind (a ring per kind), and at most
 * {@link #MAX_DEVICES} devices, the least recently active forgotten first. It lives in memory only: an uplink that
 * restarts starts with no history, so a fault across a restart, or older than the rings, is not seen (the owner's
 * checks see it). Thread-safe; it runs once per new clip, not per frame.
 */
public final class KeylessWatch {
    /** Values of each kind remembered per device (nonce prefixes, encapsulations, salts, chain positions). */
    public static final int REMEMBERED = 32;
    /** Devices tracked at once. */
    public static final int MAX_DEVICES = 10_000;
    /**
     * Bytes of each encapsulation kept: all of an X25519 one, the first of an X-Wing one (random bytes of its ML-KEM
     * ciphertext, so that equal first bytes mean the same encapsulation).
     */
    static final int ENC_BYTES_KEPT = 32;

    private static final int NONCE_PREFIX_BYTES = 7;
    private static final int SALT_BYTES_KEPT = 32;

    /** One misuse seen in a clip's header: the reason and a line for people naming the other clip. */
    public record Finding(MisuseFlag flag, String detail) {}

    private final int maxDevices;
    private final int remembered;
    private final Map<String, DeviceHistory> devices;

    public KeylessWatch() {
        this(MAX_DEVICES, REMEMBERED);
    }

    KeylessWatch(int maxDevices, int remembered) {
        this.maxDevices = maxDevices;
        this.remembered = remembered;
        this.devices = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, DeviceHistory> eldest) {
                return size() > KeylessWatch.this.maxDevices;
            }
        };
    }

    /**
     * What is wrong with a new clip's header against the device's history; nothing is remembered yet (the store may
     * still refuse the clip). A match with the same clip id is the same clip, never a finding.
     */
    public synchronized List<Finding> check(String deviceId, long clipId, ClipHeader header) {
        DeviceHistory history = devices.get(deviceId);
        List<Finding> findings = new ArrayList<>();
        if (history == null) {
            return findings;
        }
        long other = history.prefixes.find(header.getNoncePrefix(), clipId);
        if (other != 0) {
            findings.add(new Finding(MisuseFlag.NONCE_PREFIX_REUSED, "the nonce prefix of clip " + hex(other)));
        }
        if (!header.getSalt().isEmpty()) {
            other = history.salts.find(header.getSalt(), clipId);
            if (other != 0) {
                findings.add(new Finding(MisuseFlag.SALT_REUSED, "the salt of clip " + hex(other)));
            }
        }
        for (int i = 0; i < header.getWrappedKeysCount(); i++) {
            other = history.encs.find(header.getWrappedKeys(i).getEnc(), clipId);
            if (other != 0) {
                findings.add(new Finding(
                        MisuseFlag.ENCAPSULATION_REUSED,
                        "wrapped key " + (i + 1) + " has the HPKE encapsulation of clip " + hex(other)));
                break;
            }
        }
        if (header.hasChain()) {
            String chain = history.chainProblem(clipId, header.getChain());
            if (chain != null) {
                findings.add(new Finding(MisuseFlag.CHAIN_BROKEN, chain));
            }
        }
        return findings;
    }

    /** Remembers a clip the store accepted as new. */
    public synchronized void remember(String deviceId, long clipId, ClipHeader header) {
        DeviceHistory history = devices.computeIfAbsent(deviceId, d -> new DeviceHistory(remembered));
        history.prefixes.add(header.getNoncePrefix(), clipId);
        if (!header.getSalt().isEmpty()) {
            history.salts.add(header.getSalt(), clipId);
        }
        for (int i = 0; i < header.getWrappedKeysCount(); i++) {
            history.encs.add(header.getWrappedKeys(i).getEnc(), clipId);
        }
        if (header.hasChain()) {
            history.chain(clipId, header.getChain());
        }
    }

    synchronized int devicesTracked() {
        return devices.size();
    }

    synchronized boolean tracks(String deviceId) {
        return devices.containsKey(deviceId);
    }

    private static String hex(long clipId) {
        return String.format("%016x", clipId);
    }

    /** One device's rings and chain positions. */
    private static final class DeviceHistory {
        final ByteRing prefixes;
        final ByteRing encs;
        final ByteRing salts;
        final long[] positions;
        final long[] positionClips;
        final long[] positionPrevs;
        int nextPosition;
        long highestPosition;
        long highestClip;

        DeviceHistory(int remembered) {
            prefixes = new ByteRing(remembered, NONCE_PREFIX_BYTES);
            encs = new ByteRing(remembered, ENC_BYTES_KEPT);
            salts = new ByteRing(remembered, SALT_BYTES_KEPT);
            positions = new long[remembered];
            positionClips = new long[remembered];
            positionPrevs = new long[remembered];
        }

        String chainProblem(long clipId, ChainLink link) {
            long position = link.getPosition();
            long atPosition = clipAt(position);
            if (atPosition != 0 && atPosition != clipId) {
                return "clips " + hex(atPosition) + " and " + hex(clipId) + " both claim position " + position
                        + " (the device's chain state was rolled back or forked)";
            }
            long before = position > 1 ? clipAt(position - 1) : 0;
            if (before != 0 && before != link.getPrevClipId()) {
                return "clip " + hex(clipId) + " at position " + position + " names predecessor "
                        + hex(link.getPrevClipId()) + " but the clip at " + (position - 1) + " was " + hex(before);
            }
            // A late predecessor is no fault: a device that reboots while a header of its old session is in flight
            // can have its clip at the next position stored first; that clip names this one.
            if (highestClip != 0 && position < highestPosition && prevNamedAt(position + 1) != clipId) {
                return "clip " + hex(clipId) + " at position " + position + " after clip " + hex(highestClip)
                        + " at position " + highestPosition + " (positions going backwards)";
            }
            return null;
        }

        void chain(long clipId, ChainLink link) {
            long position = link.getPosition();
            positions[nextPosition] = position;
            positionClips[nextPosition] = clipId;
            positionPrevs[nextPosition] = link.getPrevClipId();
            nextPosition = (nextPosition + 1) % positions.length;
            if (highestClip == 0 || position >= highestPosition) {
                highestPosition = position;
                highestClip = clipId;
            }
        }

        /** The predecessor that the remembered clip at {@code position} names, 0 when none is remembered. */
        private long prevNamedAt(long position) {
            for (int i = 0; i < positions.length; i++) {
                if (positionClips[i] != 0 && positions[i] == position) {
                    return positionPrevs[i];
                }
            }
            return 0;
        }

        private long clipAt(long position) {
            for (int i = 0; i < positions.length; i++) {
                if (positionClips[i] != 0 && positions[i] == position) {
                    return positionClips[i];
                }
            }
            return 0;
        }
    }

    /**
     * The last {@code slots} values of one kind, each cut to {@code width} bytes, in one array: no object per value.
     * A value is compared with its length, so that a shorter one never matches a longer one's first bytes.
     */
    private static final class ByteRing {
        private final int width;
        private final byte[] bytes;
        private final int[] lengths;
        private final long[] clips;
        private int next;

        ByteRing(int slots, int width) {
            this.width = width;
            this.bytes = new byte[slots * width];
            this.lengths = new int[slots];
            this.clips = new long[slots];
        }

        /** The clip id other than {@code clipId} that used this value, or 0. Empty values are never compared. */
        long find(ByteString value, long clipId) {
            if (value.isEmpty()) {
                return 0;
            }
            int n = Math.min(value.size(), width);
            byte[] probe = value.substring(0, n).toByteArray();
            for (int i = 0; i < clips.length; i++) {
                if (clips[i] != 0
                        && clips[i] != clipId
                        && lengths[i] == value.size()
                        && Arrays.equals(bytes, i * width, i * width + n, probe, 0, n)) {
                    return clips[i];
                }
            }
            return 0;
        }

        void add(ByteString value, long clipId) {
            if (value.isEmpty()) {
                return;
            }
            int n = Math.min(value.size(), width);
            value.copyTo(bytes, 0, next * width, n);
            lengths[next] = value.size();
            clips[next] = clipId;
            next = (next + 1) % clips.length;
        }
    }
}
