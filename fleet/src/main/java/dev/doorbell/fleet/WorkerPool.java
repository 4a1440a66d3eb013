package dev.doorbell.fleet;

import dev.doorbell.device.link.UplinkFailureException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a fleet as P worker JVMs, for more devices than one process has file descriptors for: worker k runs shard
 * (i*P+k)/(n*P) of the parent's shard i/n with its own report directory and prints JSON progress lines; the parent
 * adds each second of every worker (histograms added, not percentiles averaged) into one progress line, and merges
 * the workers' reports with {@link FleetMerge} when they are done.
 */
public final class WorkerPool {
    /** A worker is told to stop with this and the signal's name, one line on its standard input. */
    public static final String STOP_LINE = "stop ";

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

    private final String mainClass;
    private final List<String> commonArgs;

    /** {@code commonArgs}: the run's options without --processes, --shard, --report, --tag or --progress-json. */
    public WorkerPool(String mainClass, List<String> commonArgs) {
        this.mainClass = mainClass;
        this.commonArgs = List.copyOf(commonArgs);
    }

    /**
     * Runs {@code processes} workers and waits for them, at most {@code deadline}; when {@code stop} completes, each
     * worker is told to end its run as at the end of its duration.
     */
    public FleetOutcome run(
            int processes,
            Shard shard,
            Path report,
            Duration deadline,
            double maxErrorRate,
            double maxConnectFailureRate,
            List<Threshold> thresholds,
            List<String> commandLine,
            PrintWriter out,
            CompletableFuture<String> stop)
            throws IOException, InterruptedException {
        List<Process> workers = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        Map<Long, Progress> seconds = new TreeMap<>();
        Map<Long, Integer> reported = new TreeMap<>();
        try {
            for (int k = 0; k < processes; k++) {
                Path dir = report.resolve("worker-" + k);
                dirs.add(dir);
                Shard mine = new Shard(shard.index() * processes + k, shard.count() * processes);
                List<String> cmd =
                        new ArrayList<>(List.of(javaBinary(), "-cp", System.getProperty("java.class.path"), mainClass));
                cmd.addAll(commonArgs);
                cmd.addAll(List.of(
                        "--shard", mine.toString(), "--report", dir.toString(), "--tag", "w" + k, "--progress-json"));
                Process p = new ProcessBuilder(cmd)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                workers.add(p);
                Thread reader = new Thread(() -> read(p, processes, seconds, reported, out), "fleet-worker-" + k);
                reader.setDaemon(true);
                reader.start();
                readers.add(reader);
            }
            // A signal to this process stops every worker as its own would: on their standard input, so that a worker
            // that got the same Ctrl-C from the terminal does not take this as a second one.
            stop.thenAccept(signal -> workers.forEach(p -> tellToStop(p, signal)));
            long end = System.nanoTime() + deadline.toNanos();
            IOException failed = null;
            for (Process p : workers) {
                if (!p.waitFor(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new IOException(
                            "worker " + p.pid() + " did not finish within " + deadline.toSeconds() + " s");
                }
                if (p.exitValue() > 1 && failed == null) {
                    failed = workerFailed(p, dirs.get(workers.indexOf(p)));
                }
            }
            for (Thread r : readers) {
                r.join(5000);
            }
            if (failed instanceof UplinkFailureException unusable) {
                // Every worker wrote its report: the merged one says what the run did, and the line says why it
                // stopped.
                FleetMerge.merge(dirs, report, maxErrorRate, maxConnectFailureRate, thresholds, commandLine);
                throw unusable;
            } else if (failed != null) {
                throw failed;
            }
        } finally {
            workers.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
        }
        return FleetMerge.merge(dirs, report, maxErrorRate, maxConnectFailureRate, thresholds, commandLine);
    }

    private static void tellToStop(Process worker, String signal) {
        try {
            worker.getOutputStream().write((STOP_LINE + signal + "\n").getBytes(StandardCharsets.UTF_8));
            worker.getOutputStream().flush();
        } catch (IOException e) {
            log.info("worker {} has stopped already: {}", worker.pid(), e.toString());
        }
    }

    /** Why a worker exited 2: the uplink no device could use (its report says which), or a failure of its own. */
    private static IOException workerFailed(Process p, Path dir) {
        try {
            Object abort = Json.parseObject(Files.readString(dir.resolve("report.json")))
                    .get("abort");
            if (abort instanceof String line) {
                return new UplinkFailureException(line, null);
            }
        } catch (IOException | IllegalArgumentException e) {
            // No report, or not one that says why: the exit status is all there is.
        }
        return new IOException("worker " + p.pid() + " failed with exit status " + p.exitValue());
    }

    private static void read(
            Process p, int processes, Map<Long, Progress> seconds, Map<Long, Integer> reported, PrintWriter out) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.startsWith("{")) {
                    continue;
                }
                Progress one = Progress.parse(line);
                synchronized (seconds) {
                    Progress sum = seconds.merge(one.second(), one, Progress::plus);
                    if (reported.merge(one.second(), 1, Integer::sum) == processes) {
                        out.println(sum.text());
                        out.flush();
                        seconds.remove(one.second());
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            log.warn("lost the progress of worker {}: {}", p.pid(), e.toString());
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
