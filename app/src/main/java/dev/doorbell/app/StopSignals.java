package dev.doorbell.app;

import dev.doorbell.fleet.WorkerPool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM end a run the way its end of time would: the first one completes {@link #stop()} with the
 * signal's name (the run stops its cameras or senders, closes open clips with a final frame, awaits PERSISTED acks
 * within its drain timeout, and prints and writes its report, marked interrupted) and prints one line saying so; a
 * second one exits at once with 128 + the signal's number, as a shell expects. A signal ignored when the JVM started
 * (a job started in the background, or under nohup) stays ignored. Handlers are the JVM's own again after
 * {@link #close()}.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported; javac warns about it) because Java 17 has no public API for
 * this: a shutdown hook cannot tell SIGINT from SIGTERM or from {@code System.exit}, cannot choose the exit status,
 * and a second signal while hooks run only blocks, where it must exit at once.
 */
final class StopSignals implements AutoCloseable {
    private static final Map<String, Integer> NUMBERS = Map.of("INT", 2, "TERM", 15);

    private final CompletableFuture<String> stop = new CompletableFuture<>();
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private final String command;
    private final PrintWriter err;
    private volatile int exitStatus = -1;

    private StopSignals(String command, PrintWriter err) {
        this.command = command;
        this.err = err;
    }

    /**
     * Handles SIGINT and SIGTERM for {@code command}, which names itself in the line printed to {@code err} at each
     * signal; {@code err} is null for a worker process, whose parent says it once for all.
     */
    static StopSignals install(String command, PrintWriter err) {
        StopSignals signals = new StopSignals(command, err);
        for (String name : NUMBERS.keySet()) {
            Signal signal = new Signal(name);
            signals.previous.put(signal, Signal.handle(signal, signals::received));
        }
        return signals;
    }

    /** Completes with the name of the first signal (SIGINT, SIGTERM) or of the parent's stop. */
    CompletableFuture<String> stop() {
        return stop;
    }

    /** 130 after SIGINT, 143 after SIGTERM: what a shell reports for a command that a signal ended. */
    int exitStatus(int otherwise) {
        return exitStatus < 0 ? otherwise : exitStatus;
    }

    /**
     * Also stops on a line {@value WorkerPool#STOP_LINE}SIGNAL from {@code in}, or at its end: a worker process hears
     * its parent's signal that way, and a worker whose parent is gone stops as if told to.
     */
    void alsoOnLinesFrom(InputStream in) {
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = lines.readLine()) != null) {
                            if (line.startsWith(WorkerPool.STOP_LINE)) {
                                stop.complete(line.substring(WorkerPool.STOP_LINE.length())
                                        .trim());
                            }
                        }
                    } catch (IOException e) {
                        // The parent's end of the pipe is gone: the same as its end.
                    }
                    stop.complete("parent gone");
                },
                "stop-on-stdin");
        reader.setDaemon(true);
        reader.start();
    }

    private void received(Signal signal) {
        String name = "SIG" + signal.getName();
        if (stop.isDone()) {
            say(name + " again: exiting now, without waiting for acknowledgements");
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
        exitStatus = 128 + signal.getNumber();
        say(name + ": stopping; open clips get their final frame and their acknowledgements are awaited; " + name
                + " again exits at once");
        stop.complete(name);
    }

    private void say(String line) {
        if (err != null) {
            err.println(command + ": " + line);
            err.flush();
        }
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
