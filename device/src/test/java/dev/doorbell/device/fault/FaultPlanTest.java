package dev.doorbell.device.fault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultPlanTest {
    private static final ClipParams PARAMS = new ClipParams(
            "front-door", 42, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG, 320, 240, 10, 1_800_000_000_000L, 500);

    @Test
    void none_handsBackWhatItWasGiven() {
        FaultPlan none = FaultPlan.none();
        SecureRandom random = new SecureRandom();
        assertTrue(none.isEmpty());
        assertSame(random, none.clipRandom(random));
        assertSame(PARAMS, none.clipParams(PARAMS, 3));
        assertEquals(1_000_000, none.bufferLimitBytes(1_000_000));
        assertTrue(none.warnings("front-door").isEmpty());
    }

    @Test
    void clipKeyReuse_everyClipDrawsTheSameKeyAndAFreshPrefix() {
        FaultPlan plan = FaultPlan.of(List.of(FirmwareFault.CLIP_KEY_REUSE), 7);
        SecureRandom one = plan.clipRandom(new SecureRandom());
        SecureRandom two = plan.clipRandom(new SecureRandom());
        assertArrayEquals(draw(one, 32), draw(two, 32));
        assertFalse(Arrays.equals(draw(one, 7), draw(two, 7)));
    }

    @Test
    void noncePrefixReuse_everyClipDrawsAFreshKeyAndTheSamePrefix() {
        FaultPlan plan = FaultPlan.of(List.of(FirmwareFault.NONCE_PREFIX_REUSE), 7);
        SecureRandom one = plan.clipRandom(new SecureRandom());
        SecureRandom two = plan.clipRandom(new SecureRandom());
        assertFalse(Arrays.equals(draw(one, 32), draw(two, 32)));
        assertArrayEquals(draw(one, 7), draw(two, 7));
    }

    @Test
    void stuckRng_reproducibleFromTheSeed_andAnotherSeedIsAnotherStuckValue() {
        byte[] a = draw(FaultPlan.of(List.of(FirmwareFault.STUCK_RNG), 7).clipRandom(new SecureRandom()), 32);
        byte[] b = draw(FaultPlan.of(List.of(FirmwareFault.STUCK_RNG), 7).clipRandom(new SecureRandom()), 32);
        byte[] c = draw(FaultPlan.of(List.of(FirmwareFault.STUCK_RNG), 8).clipRandom(new SecureRandom()), 32);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals(
                FaultPlan.of(List.of(FirmwareFault.COUNTER_RESET), 7).resetAtSeq(),
                FaultPlan.of(List.of(FirmwareFault.COUNTER_RESET), 7).resetAtSeq());
    }

    @Test
    void clockBackwards_theFirstClipKeepsItsTime_laterClipsAndTheirPressesJumpBackTheSeededAmount() {
        FaultPlan plan = FaultPlan.of(List.of(FirmwareFault.CLOCK_BACKWARDS), 7);
        long jump = plan.clockJumpMillis();
        assertTrue(jump >= 3_600_000 && jump < 7_200_000, "1 to 2 hours: " + jump);
        assertSame(PARAMS, plan.clipParams(PARAMS, 0));
        assertEquals(PARAMS.startTimeUnixMs() - jump, plan.clipParams(PARAMS, 1).startTimeUnixMs());
        assertEquals(List.of(1_800_000_000_500L - jump), plan.ringTimes(List.of(1_800_000_000_500L), 1));
    }

    @Test
    void warnings_oneLinePerFault_namingItAndSayingTheOutputIsBroken() {
        List<String> lines = FaultPlan.of(List.of(FirmwareFault.WRONG_AAD, FirmwareFault.FLASH_FULL), 9)
                .warnings("front-door");
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("INSECURE FIRMWARE FAULT wrong-aad on device front-door: "), lines.get(0));
        assertTrue(lines.get(0).contains("deliberately broken"), lines.get(0));
        assertTrue(lines.get(1).contains("flash-full"), lines.get(1));
    }

    @Test
    void parse_unknownName_namesEveryKnownFault() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FirmwareFault.parse("rng"));
        assertEquals("unknown firmware fault 'rng'; known: " + FirmwareFault.names(), e.getMessage());
        assertEquals(FirmwareFault.TRUNCATED_TAG, FirmwareFault.parse("Truncated-Tag"));
    }

    private static byte[] draw(SecureRandom random, int n) {
        byte[] out = new byte[n];
        random.nextBytes(out);
        return out;
    }
}
