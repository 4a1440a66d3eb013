package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.doorbell.seal.ClipSealer;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import org.junit.jupiter.api.Test;

class HeaderFormatTest {
    private final V2Fixture world = new V2Fixture(new InsecureDeterministicRandom("header-format-test"));

    @Test
    void version_v1ClipHeaderV2OrV3SignedHeaderOrNeither() {
        byte[] v1 = ClipSealer.start(
                        RootKey.generate(V2Fixture.DEVICE, world.random).epochKey(0), V2Fixture.params(1), world.random)
                .headerBytes();
        assertEquals(HeaderFormat.V1, HeaderFormat.version(v1));
        assertEquals(HeaderFormat.V2, HeaderFormat.version(world.seal(1, 1).header()));
        assertEquals(HeaderFormat.UNKNOWN, HeaderFormat.version(new byte[] {(byte) 0xff}));
        assertEquals(HeaderFormat.UNKNOWN, HeaderFormat.version(new byte[0]));
        assertEquals(HeaderFormat.UNKNOWN, HeaderFormat.version(null));
        assertEquals(HeaderFormat.V3, HeaderFormat.version(world.sealV3(1, 0, 1).header()));
        assertEquals(
                HeaderFormat.UNKNOWN,
                HeaderFormat.version(
                        V2Fixture.resigned(world.seal(1, 1).header(), world.deviceKey, h -> h.setFormatVersion(4))));
    }
}
