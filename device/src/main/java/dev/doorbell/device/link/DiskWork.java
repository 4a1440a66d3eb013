package dev.doorbell.device.link;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where the link's disk work runs (a relayed recipient list made durable): never on an event loop, which a fleet's
 * devices share. Two daemon threads for every link of the process; such work is rare (a list per owner's change).
 */
final class DiskWork {
    static final ExecutorService EXECUTOR = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "device-disk-work");
        t.setDaemon(true);
        return t;
    });

    private DiskWork() {}
}
