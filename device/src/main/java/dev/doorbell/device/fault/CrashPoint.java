package dev.doorbell.device.fault;

import dev.doorbell.seal.keys.DurableFiles;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A named step of one of the device's key or state updates, at which the crash harness ends the process on purpose
 * (docs/FIRMWARE.md, "Crash safety"; {@link InsecureCrashPoints}). The names are stable: tools (the fault matrix, CI
 * scripts) refer to them. Every file update has the same five steps: {@code before-write} (decided, nothing written),
 * then {@link DurableFiles.Step}'s {@code temp-written}, {@code temp-synced}, {@code renamed} and {@code dir-synced}.
 */
public enum CrashPoint {
    CLIP_START_BEFORE_WRITE(Update.CLIP_START, "before-write"),
    CLIP_START_TEMP_WRITTEN(Update.CLIP_START, DurableFiles.Step.TEMP_WRITTEN.label()),
    CLIP_START_TEMP_SYNCED(Update.CLIP_START, DurableFiles.Step.TEMP_SYNCED.label()),
    CLIP_START_RENAMED(Update.CLIP_START, DurableFiles.Step.RENAMED.label()),
    CLIP_START_DIR_SYNCED(Update.CLIP_START, DurableFiles.Step.DIR_SYNCED.label()),
    /** The clip's ClipOpen (its header) is written and flushed to the socket, no frame yet. */
    CLIP_START_HEADER_SENT(Update.CLIP_START, "header-sent"),
    FIRST_ACK_BEFORE_WRITE(Update.FIRST_ACK, "before-write"),
    FIRST_ACK_TEMP_WRITTEN(Update.FIRST_ACK, DurableFiles.Step.TEMP_WRITTEN.label()),
    FIRST_ACK_TEMP_SYNCED(Update.FIRST_ACK, DurableFiles.Step.TEMP_SYNCED.label()),
    FIRST_ACK_RENAMED(Update.FIRST_ACK, DurableFiles.Step.RENAMED.label()),
    FIRST_ACK_DIR_SYNCED(Update.FIRST_ACK, DurableFiles.Step.DIR_SYNCED.label()),
    FINAL_ACK_BEFORE_WRITE(Update.FINAL_ACK, "before-write"),
    FINAL_ACK_TEMP_WRITTEN(Update.FINAL_ACK, DurableFiles.Step.TEMP_WRITTEN.label()),
    FINAL_ACK_TEMP_SYNCED(Update.FINAL_ACK, DurableFiles.Step.TEMP_SYNCED.label()),
    FINAL_ACK_RENAMED(Update.FINAL_ACK, DurableFiles.Step.RENAMED.label()),
    FINAL_ACK_DIR_SYNCED(Update.FINAL_ACK, DurableFiles.Step.DIR_SYNCED.label()),
    RECIPIENTS_BEFORE_WRITE(Update.RECIPIENTS, "before-write"),
    RECIPIENTS_TEMP_WRITTEN(Update.RECIPIENTS, DurableFiles.Step.TEMP_WRITTEN.label()),
    RECIPIENTS_TEMP_SYNCED(Update.RECIPIENTS, DurableFiles.Step.TEMP_SYNCED.label()),
    RECIPIENTS_RENAMED(Update.RECIPIENTS, DurableFiles.Step.RENAMED.label()),
    RECIPIENTS_DIR_SYNCED(Update.RECIPIENTS, DurableFiles.Step.DIR_SYNCED.label());

    /** The key or state updates of a running device, each a durable replacement of one file. */
    public enum Update {
        /** chain.state names the new clip (its position, id, header hash), before its header is sent. */
        CLIP_START("clip-start", "chain.state"),
        /** chain.state records the first frame of the newest clip acknowledged PERSISTED. */
        FIRST_ACK("first-ack", "chain.state"),
        /** chain.state records the newest clip's final frame acknowledged PERSISTED. */
        FINAL_ACK("final-ack", "chain.state"),
        /** recipients.list takes a newer owner-signed list relayed by the uplink, before any clip uses it. */
        RECIPIENTS("recipients", "recipients.list");

        private final String label;
        private final String file;

        Update(String label, String file) {
            this.label = label;
            this.file = file;
        }

        public String label() {
            return label;
        }

        /** The file in the device directory that the update replaces. */
        public String file() {
            return file;
        }

        /** The crash point of this update at {@code step} of its file's replacement. */
        public CrashPoint at(DurableFiles.Step step) {
            return of(this, step.label());
        }

        /** The crash point of this update once it is decided, before anything is written. */
        public CrashPoint beforeWrite() {
            return of(this, "before-write");
        }
    }

    private final Update update;
    private final String step;

    CrashPoint(Update update, String step) {
        this.update = update;
        this.step = step;
    }

    public Update update() {
        return update;
    }

    /** The step within the update: {@code before-write}, {@code temp-written}, ..., {@code header-sent}. */
    public String step() {
        return step;
    }

    private static CrashPoint of(Update update, String step) {
        for (CrashPoint p : values()) {
            if (p.update == update && p.step.equals(step)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no crash point " + update.label() + "." + step);
    }

    /** The stable name, {@code UPDATE.STEP}: {@code clip-start.renamed}. */
    public String cliName() {
        return update.label() + "." + step;
    }

    /**
     * The crash point named {@code name} (its {@link #cliName()}, case-insensitive).
     *
     * @throws IllegalArgumentException naming the unknown point and every known one
     */
    public static CrashPoint parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (CrashPoint p : values()) {
            if (p.cliName().equals(wanted)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown crash point '" + name + "'; known: " + names());
    }

    /** Every name, comma-separated, in the order of the updates' steps. */
    public static String names() {
        return Arrays.stream(values()).map(CrashPoint::cliName).collect(Collectors.joining(", "));
    }
}
