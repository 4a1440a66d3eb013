package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.file.Path;

/** Another process, or this one, holds the store: one store, one uplink. Nothing in the store was touched. */
public final class StoreLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path dir;
    private final long holderPid;

    StoreLockedException(Path dir, long holderPid, boolean thisProcess) {
        super("store " + dir + " is in use by "
                + (thisProcess
                        ? "this process (pid " + holderPid + ")"
                        : "another uplink (" + (holderPid > 0 ? "pid " + holderPid : "pid unknown") + ")"));
        this.dir = dir;
        this.holderPid = holderPid;
    }

    public Path dir() {
        return dir;
    }

    /** The holder's pid as its lock file names it, or -1 when unknown. */
    public long holderPid() {
        return holderPid;
    }
}
