package dev.doorbell.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every file and directory under a fleet's root durable at once. Forcing each of a large fleet's files on its
 * own (seven per device) made provisioning wait on tens of thousands of fsyncs; instead the files are written
 * without forcing and the whole file system is synced once with syncfs(2), through coreutils' {@code sync
 * --file-system} because Java 17 has no call for it. Where that command is missing or fails, every file and then
 * every directory under the root is fsynced, in parallel. Public for the fleet tool, which pairs the devices it
 * provisions and makes those files durable the same way.
 */
public final class FleetSync {
    private static final Logger log = LoggerFactory.getLogger(FleetSync.class);
    private static final long SYNC_TIMEOUT_MINUTES = 10;

    private FleetSync() {}

    /** Returns how it was done, for the log: "syncfs" or "fsync of N files and directories". */
    public static String sync(Path root, int threads) throws IOException {
        if (syncFileSystem(root)) {
            return "syncfs";
        }
        List<Path> files;
        List<Path> dirs;
        try (Stream<Path> tree = Files.walk(root)) {
            List<Path> all = tree.toList();
            files = all.stream().filter(Files::isRegularFile).toList();
            dirs = all.stream().filter(Files::isDirectory).toList();
        }
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            // Files before directories: a directory's entries are made durable after the files they name.
            pool.submit(() -> files.parallelStream().forEach(FleetSync::force)).join();
            pool.submit(() -> dirs.parallelStream().forEach(FleetSync::force)).join();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            pool.shutdownNow();
        }
        return "fsync of " + (files.size() + dirs.size()) + " files and directories";
    }

    private static boolean syncFileSystem(Path root) {
        try {
            Process sync = new ProcessBuilder("sync", "--file-system", root.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(sync.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!sync.waitFor(SYNC_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                sync.destroyForcibly();
                log.warn(
                        "sync --file-system {} did not finish in {} minutes; forcing each file instead",
                        root,
                        SYNC_TIMEOUT_MINUTES);
                return false;
            }
            if (sync.exitValue() != 0) {
                log.info(
                        "sync --file-system {} failed ({}: {}); forcing each file instead",
                        root,
                        sync.exitValue(),
                        output);
                return false;
            }
            return true;
        } catch (IOException e) {
            log.info("no sync command here ({}); forcing each file instead", e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void force(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fsync " + path, e);
        }
    }
}
