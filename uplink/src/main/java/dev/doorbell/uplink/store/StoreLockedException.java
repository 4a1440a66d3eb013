package dev.doorbell.uplink.store;

import dev.doorbell.proto.DirectoryLock;
import java.io.IOException;
import java.nio.file.Path;

/** Another process, or this one, holds the store: one store, one uplink. Nothing in the store was touched. */
public final class StoreLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path dir;
    private final long holderPid;

    StoreLockedException(Path dir, DirectoryLock.Held held) {
        super("store " + dir + " is in use by " + (held.thisProcess() ? "this process" : "another uplink") + " ("
                + held.holderName() + ")");
        this.dir = dir;
        this.holderPid = held.holderPid();
    }

    public Path dir() {
        return dir;
    }

    /** The holder's pid as its lock file names it, or -1 when unknown. */
    public long holderPid() {
        return holderPid;
    }
}
