package dev.doorbell.device.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.fault.InsecureCrashPoints.CrashAt;
import dev.doorbell.seal.keys.DurableFiles;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrashPointTest {
    @Test
    void names_stable_asDocumentedInFirmwareMd() {
        // Tools (the fault matrix, scripts) name these: a rename breaks them, so it must be on purpose.
        assertEquals(
                List.of(
                        "clip-start.before-write",
                        "clip-start.temp-written",
                        "clip-start.temp-synced",
                        "clip-start.renamed",
                        "clip-start.dir-synced",
                        "clip-start.header-sent",
                        "first-ack.before-write",
                        "first-ack.temp-written",
                        "first-ack.temp-synced",
                        "first-ack.renamed",
                        "first-ack.dir-synced",
                        "final-ack.before-write",
                        "final-ack.temp-written",
                        "final-ack.temp-synced",
                        "final-ack.renamed",
                        "final-ack.dir-synced",
                        "recipients.before-write",
                        "recipients.temp-written",
                        "recipients.temp-synced",
                        "recipients.renamed",
                        "recipients.dir-synced"),
                Arrays.stream(CrashPoint.values()).map(CrashPoint::cliName).toList());
    }

    @Test
    void update_eachDurableStep_hasItsPoint() {
        for (CrashPoint.Update update : CrashPoint.Update.values()) {
            assertEquals(update, update.beforeWrite().update());
            for (DurableFiles.Step step : DurableFiles.Step.values()) {
                CrashPoint point = update.at(step);
                assertEquals(update.label() + "." + step.label(), point.cliName());
            }
        }
    }

    @Test
    void crashAt_parse_pointAndOccurrence_defaultFirst() {
        assertEquals(new CrashAt(CrashPoint.CLIP_START_RENAMED, 2), CrashAt.parse("clip-start.renamed:2"));
        assertEquals(new CrashAt(CrashPoint.FINAL_ACK_DIR_SYNCED, 1), CrashAt.parse("Final-Ack.dir-synced"));
        assertEquals(
                "clip-start.renamed:2", CrashAt.parse("clip-start.renamed:2").toString());
    }

    @Test
    void crashAt_parse_unknownOrZero_refusedListingEveryPoint() {
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> CrashAt.parse("clip-start.renamd"));
        assertTrue(unknown.getMessage().contains("unknown crash point 'clip-start.renamd'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("recipients.dir-synced"), unknown.getMessage());
        IllegalArgumentException zero =
                assertThrows(IllegalArgumentException.class, () -> CrashAt.parse("clip-start.renamed:0"));
        assertTrue(zero.getMessage().contains("is not POINT[:N]"), zero.getMessage());
    }

    @Test
    void warning_namesThePointLoudly() {
        String line = InsecureCrashPoints.warning(CrashAt.parse("first-ack.renamed:3"));
        assertTrue(line.startsWith("INSECURE CRASH POINT first-ack.renamed:3 armed"), line);
        assertTrue(line.contains("the 3rd time it reaches first-ack.renamed"), line);
    }
}
