package dev.binlogrelay.bench.canal;

import dev.binlogrelay.testkit.FreePorts;
import dev.binlogrelay.testkit.MariaDbServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link CanalServerMain} in a JVM of its own (so its CPU is read from /proc as the relay's is), on the bench's
 * classpath, its output in {@code log}; no destination runs until {@link #startDestinations}. {@link #close()} closes its standard input (it stops) and kills it if it
 * has not exited within 10 s.
 */
public final class CanalServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final java.util.concurrent.BlockingQueue<String> done = new java.util.concurrent.LinkedBlockingQueue<>();

    private CanalServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts destinations {@code bench<first>} to {@code bench<first + count - 1>}; returns once they are started. */
    public void startDestinations(int first, int count, Duration timeout) throws IOException, InterruptedException {
        command("start " + first + " " + (first + count), timeout);
    }

    /** Stops those destinations (their memory stores go); returns once they are stopped. */
    public void stopDestinations(int first, int count, Duration timeout) throws IOException, InterruptedException {
        command("stop " + first + " " + (first + count), timeout);
    }

    private void command(String command, Duration timeout) throws IOException, InterruptedException {
        process.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
        String line = done.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null || !line.equals(CanalServerMain.DONE + command)) {
            throw new IllegalStateException("the Canal server did not carry out '" + command + "' within " + timeout
                    + (line == null ? "" : " (it said " + line + ")"));
        }
    }

    /** Starts it with {@code destinations} destinations (none running yet) reading {@code primary} from (file, position). */
    public static CanalServerProcess start(MariaDbServer primary, String user, String password, String file, long position,
                                           int destinations, String filter, String classpath, List<String> jvmOptions,
                                           Path log, Duration timeout) throws IOException, InterruptedException {
        int port = FreePorts.find();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classpath, CanalServerMain.class.getName(), primary.host(),
                Integer.toString(primary.port()), user, password, file, Long.toString(position),
                Integer.toString(destinations), Integer.toString(port), filter));
        Files.deleteIfExists(log);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CanalServerProcess server = new CanalServerProcess(p, port);
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 var w = Files.newBufferedWriter(log)) {
                for (String line; (line = in.readLine()) != null; ) {
                    w.write(line);
                    w.newLine();
                    w.flush();
                    if (line.startsWith(CanalServerMain.READY)) {
                        ready.complete(true);
                    } else if (line.startsWith(CanalServerMain.DONE)) {
                        server.done.add(line);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.complete(false);
        }, "canal-server-log");
        pump.setDaemon(true);
        pump.start();
        try {
            if (!ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the Canal server exited before it was ready; see " + log);
            }
        } catch (TimeoutException | java.util.concurrent.ExecutionException | RuntimeException e) {
            server.close();
            throw new IllegalStateException("the Canal server did not start within " + timeout + "; see " + log, e);
        }
        return server;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
