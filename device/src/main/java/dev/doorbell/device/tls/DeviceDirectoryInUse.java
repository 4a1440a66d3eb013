package dev.doorbell.device.tls;

import dev.doorbell.proto.DirectoryLock;
import java.nio.file.Path;

/** Another process, or this one, runs the device of this directory ({@link DeviceLock}); nothing was touched. */
public final class DeviceDirectoryInUse extends DeviceDirectoryException {
    private static final long serialVersionUID = 1L;

    private final long holderPid;
    private final boolean thisProcess;

    // No cause: the one line says it all, and an error line would add what a cause's message says.
    DeviceDirectoryInUse(Path dir, long holderPid, boolean thisProcess) {
        super("device directory " + dir + " is in use by " + (thisProcess ? "this process" : "another process") + " ("
                + DirectoryLock.holderName(holderPid) + "); one device directory, one device");
        this.holderPid = holderPid;
        this.thisProcess = thisProcess;
    }

    /** The holder's pid as its lock file names it, or -1 when unknown. */
    public long holderPid() {
        return holderPid;
    }

    /** Whether this process holds the directory already (named twice). */
    public boolean thisProcess() {
        return thisProcess;
    }
}
