package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProfileTest {

    @Test
    void parse_usualSpellings_profile() {
        assertEquals(Profile.P480, Profile.parse("480p"));
        assertEquals(Profile.P480, Profile.parse(" 480P "));
        assertEquals(Profile.P240, Profile.parse("P240"));
        assertEquals(Profile.P720, Profile.parse("720"));
        assertEquals(Profile.P720, Profile.parse("1280x720"));
    }

    @Test
    void parse_unknown_errorListsChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Profile.parse("1080p"));
        assertTrue(e.getMessage().contains("'1080p'"), e.getMessage());
        assertTrue(e.getMessage().contains("240p (320x240 @ 10 fps)"), e.getMessage());
        assertTrue(e.getMessage().contains("720p (1280x720 @ 15 fps)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Profile.parse(null));
    }

    @Test
    void frameOffsetMicros_15fps_noDriftOverAnHour() {
        assertEquals(66_666L, Profile.P720.frameOffsetMicros(1));
        assertEquals(3_600_000_000L, Profile.P720.frameOffsetMicros(15L * 3600));
        assertEquals(100_000L, Profile.P480.frameIntervalMicros());
    }
}
