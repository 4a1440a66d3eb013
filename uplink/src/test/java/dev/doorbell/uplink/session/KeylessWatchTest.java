package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.uplink.metrics.MisuseFlag;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeylessWatchTest {
    private static final String DEVICE = "front-door";

    private static ClipHeader header(long clipId, int prefix, int enc, long position, long prev) {
        ClipHeader.Builder h = ClipHeader.newBuilder()
                .setFormatVersion(3)
                .setDeviceId(DEVICE)
                .setClipId(clipId)
                .setNoncePrefix(bytes(7, prefix))
                .addWrappedKeys(WrappedKey.newBuilder().setKem(0x20).setEnc(bytes(32, enc)));
        if (position > 0) {
            h.setChain(ChainLink.newBuilder().setPosition(position).setPrevClipId(prev));
        }
        return h.build();
    }

    private static ByteString bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return ByteString.copyFrom(b);
    }

    private static List<MisuseFlag> flags(List<KeylessWatch.Finding> findings) {
        return findings.stream().map(KeylessWatch.Finding::flag).toList();
    }

    @Test
    void honestChain_noFinding() {
        KeylessWatch watch = new KeylessWatch();
        for (long c = 1; c <= 100; c++) {
            ClipHeader h = header(c * 7, (int) c, 1000 + (int) c, c, c == 1 ? 0 : (c - 1) * 7);
            assertEquals(List.of(), watch.check(DEVICE, c * 7, h), "clip " + c);
            watch.remember(DEVICE, c * 7, h);
        }
    }

    @Test
    void sameClipAgain_isNotReuse() {
        KeylessWatch watch = new KeylessWatch();
        ClipHeader h = header(5, 1, 2, 1, 0);
        watch.remember(DEVICE, 5, h);
        assertEquals(List.of(), watch.check(DEVICE, 5, h));
    }

    @Test
    void reusedPrefixEncAndPosition_flaggedNamingTheOtherClip() {
        KeylessWatch watch = new KeylessWatch();
        watch.remember(DEVICE, 0x11, header(0x11, 1, 2, 1, 0));
        watch.remember(DEVICE, 0x22, header(0x22, 3, 4, 2, 0x11));
        List<KeylessWatch.Finding> findings = watch.check(DEVICE, 0x33, header(0x33, 1, 4, 2, 0x11));
        assertEquals(
                List.of(MisuseFlag.NONCE_PREFIX_REUSED, MisuseFlag.ENCAPSULATION_REUSED, MisuseFlag.CHAIN_BROKEN),
                flags(findings));
        assertEquals(
                "the nonce prefix of clip 0000000000000011", findings.get(0).detail());
        assertTrue(
                findings.get(2).detail().contains("both claim position 2"),
                findings.get(2).detail());
        // Another device's values are its own.
        assertEquals(List.of(), watch.check("back-door", 0x33, header(0x33, 1, 4, 2, 0x11)));
    }

    /**
     * A device that reboots connects again while its old session still holds a header in flight: the new session's
     * clip at position 3 can reach the store before the old session's clip at position 2 that it names. Seen in
     * {@code fault-matrix} (counter-reset row, 1 run in 3): "clip ... at position 2 after clip ... at position 3
     * (positions going backwards)". A late predecessor that its successor names is the chain intact, not a fault.
     */
    @Test
    void latePredecessorNamedByItsSuccessor_notFlagged_butAnUnnamedOneIs() {
        KeylessWatch watch = new KeylessWatch();
        watch.remember(DEVICE, 0x11, header(0x11, 1, 2, 1, 0));
        watch.remember(DEVICE, 0x33, header(0x33, 5, 6, 3, 0x22));
        assertEquals(List.of(), watch.check(DEVICE, 0x22, header(0x22, 3, 4, 2, 0x11)));
        // The clip at position 3 names another predecessor: this one came from a rolled-back or forked state.
        List<KeylessWatch.Finding> forked = watch.check(DEVICE, 0x66, header(0x66, 7, 8, 2, 0x11));
        assertEquals(List.of(MisuseFlag.CHAIN_BROKEN), flags(forked));
        assertTrue(
                forked.get(0).detail().contains("positions going backwards"),
                forked.get(0).detail());
    }

    @Test
    void wrongPredecessorAndBackwards_flagged() {
        KeylessWatch watch = new KeylessWatch();
        watch.remember(DEVICE, 0x11, header(0x11, 1, 2, 1, 0));
        List<KeylessWatch.Finding> wrong = watch.check(DEVICE, 0x22, header(0x22, 3, 4, 2, 0x99));
        assertEquals(List.of(MisuseFlag.CHAIN_BROKEN), flags(wrong));
        assertTrue(
                wrong.get(0).detail().contains("names predecessor 0000000000000099"),
                wrong.get(0).detail());
        watch.remember(DEVICE, 0x44, header(0x44, 5, 6, 9, 0x33));
        List<KeylessWatch.Finding> back = watch.check(DEVICE, 0x55, header(0x55, 7, 8, 4, 0x77));
        assertEquals(List.of(MisuseFlag.CHAIN_BROKEN), flags(back));
        assertTrue(
                back.get(0).detail().contains("positions going backwards"),
                back.get(0).detail());
    }

    @Test
    void v1Salt_reuseFlagged() {
        KeylessWatch watch = new KeylessWatch();
        ClipHeader a = ClipHeader.newBuilder()
                .setFormatVersion(1)
                .setDeviceId(DEVICE)
                .setClipId(1)
                .setSalt(bytes(32, 9))
                .setNoncePrefix(bytes(7, 1))
                .build();
        watch.remember(DEVICE, 1, a);
        ClipHeader b = a.toBuilder().setClipId(2).setNoncePrefix(bytes(7, 2)).build();
        assertEquals(List.of(MisuseFlag.SALT_REUSED), flags(watch.check(DEVICE, 2, b)));
    }

    @Test
    void perDeviceRing_forgetsAfterRememberedValues() {
        KeylessWatch watch = new KeylessWatch(10, 4);
        watch.remember(DEVICE, 1, header(1, 1, 1, 0, 0));
        for (int c = 2; c <= 4; c++) {
            watch.remember(DEVICE, c, header(c, c, c, 0, 0));
        }
        assertEquals(
                List.of(MisuseFlag.NONCE_PREFIX_REUSED, MisuseFlag.ENCAPSULATION_REUSED),
                flags(watch.check(DEVICE, 99, header(99, 1, 1, 0, 0))),
                "4 values remembered");
        watch.remember(DEVICE, 5, header(5, 5, 5, 0, 0));
        assertEquals(List.of(), watch.check(DEVICE, 99, header(99, 1, 1, 0, 0)), "the fifth pushed the first out");
    }

    @Test
    void devices_boundedLeastRecentlyActiveForgotten() {
        KeylessWatch watch = new KeylessWatch(100, 4);
        for (int d = 0; d < 1000; d++) {
            watch.remember("device-" + d, 1, header(1, d, d, 1, 0));
            assertTrue(watch.devicesTracked() <= 100);
        }
        assertEquals(100, watch.devicesTracked());
        assertTrue(watch.tracks("device-999"));
        assertFalse(watch.tracks("device-0"));
    }

    @Test
    void defaults_areTheDocumentedBounds() {
        assertEquals(32, KeylessWatch.REMEMBERED);
        assertEquals(10_000, KeylessWatch.MAX_DEVICES);
    }
}
