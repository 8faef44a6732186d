package io.github.sseprogress.testing.servers;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;

/**
 * One real server, started by a module's integration test as a process of its own: Open Liberty
 * ({@code bin/server run}, in the foreground) or Payara Micro ({@code java -jar payara-micro.jar}, the JVM itself, so
 * {@link #kill9()} is a SIGKILL of the server). Configuration reaches the application as environment variables
 * (MicroProfile Config's environment source). Only processes started here are ever stopped or killed.
 *
 * <p>The redis and metrics modules extend it with their own factories (which server, which WAR, which ports) and
 * readiness check; {@link ServerLogs} reads what it logged.
 */
public class ServerProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /** Which server runs. */
    public enum Kind { LIBERTY, PAYARA }

    private final Kind kind;
    private final String name;
    private final int port;
    private final Path dir;
    private final Path console;
    private final List<String> command;
    private final Map<String, String> env;
    private Process process;

    protected ServerProcess(Kind kind, String name, int port, Path dir, List<String> command, Map<String, String> env) {
        this.kind = kind;
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.console = dir.resolve("console-" + name + ".log");
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
    }

    /**
     * Readies the created Liberty server {@code wlp/usr/servers/<server>} for a run: {@code war} copied to its
     * dropins as {@code <context>.war}, the previous run's logs deleted. Returns the server's directory.
     */
    protected static Path prepareLiberty(Path wlp, String server, String context, Path war, String profile) {
        Path serverDir = wlp.resolve("usr/servers").resolve(server);
        if (!Files.isRegularFile(serverDir.resolve("server.xml"))) {
            throw new IllegalStateException("no Liberty server at " + serverDir + ": run with -P" + profile);
        }
        try {
            Files.createDirectories(serverDir.resolve("dropins"));
            if (war != null) {
                Files.copy(war, serverDir.resolve("dropins").resolve(context + ".war"), StandardCopyOption.REPLACE_EXISTING);
            }
            deleteRecursively(serverDir.resolve("logs")); // this run's log only
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return serverDir;
    }

    /** {@code bin/server run <server>}: Liberty in the foreground, so the process started here is the server's. */
    protected static List<String> libertyCommand(Path wlp, String server) {
        return List.of(wlp.resolve("bin/server").toString(), "run", server);
    }

    /**
     * The command of a Payara Micro run with the production pre-boot commands, logging to {@code server.log} beside
     * the jar (the previous run's log and root directory are deleted), deploying {@code war}; {@code extra} is
     * appended (e.g. {@code --contextroot /}).
     */
    protected static List<String> payaraCommand(Path jar, int port, String preboot, Path war, List<String> extra) {
        Path dir = jar.getParent();
        deleteRecursively(dir.resolve("root"));
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("server.log")).toList()) {
                Files.delete(p); // this run's log only
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toString(),
                "--nocluster", "--nohazelcast", "--port", Integer.toString(port),
                "--prebootcommandfile", preboot,
                "--logtofile", dir.resolve("server.log").toString(),
                "--rootdir", dir.resolve("root").toString(),
                "--deploy", war.toString()));
        command.addAll(extra);
        return command;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts the process; subclasses wait for their application with {@link #awaitUp}. */
    public ServerProcess start() {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(console.toFile())); // this run's output only
        pb.environment().putAll(env);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        }
        return this;
    }

    /**
     * Waits until {@code GET probe} answers in a way {@code up} accepts; fails fast when the process exits or the
     * server reports that the deployment failed, with the console's tail and the probe's last answer in the message.
     */
    protected void awaitUp(URI probe, Predicate<HttpResponse<String>> up) {
        awaitUp(probe, up, Duration.ofMillis(250));
    }

    /**
     * As {@link #awaitUp(URI, Predicate)}, asking every {@code poll}; returns every distinct answer seen, in order
     * ({@code "<status> <body>"}), so a test can check what the probe said while the server started.
     */
    protected List<String> awaitUp(URI probe, Predicate<HttpResponse<String>> up, Duration poll) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Process p = process;
        List<String> seen = new ArrayList<>();
        try {
            await(name + " serves " + probe).atMost(START_TIMEOUT).pollInterval(poll)
                    .failFast(name + " exited or failed to deploy the application", () -> !p.isAlive() || deployFailed())
                    .ignoreExceptions()
                    .until(() -> {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(5))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        String answer = r.statusCode() + " " + r.body();
                        synchronized (seen) {
                            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(answer)) {
                                seen.add(answer);
                            }
                        }
                        return up.test(r);
                    });
        } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
            String last;
            synchronized (seen) {
                last = seen.isEmpty() ? "(none)" : seen.get(seen.size() - 1);
            }
            throw new IllegalStateException(name + " did not start; " + probe + " last answered: " + last
                    + "\nits console:\n" + consoleTail(), e);
        }
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** Payara Micro keeps running when the deployment fails; Liberty too (CWWKZ0002E, CWWKZ0004E: an app did not start). */
    private boolean deployFailed() {
        try {
            if (!Files.exists(console)) {
                return false;
            }
            String text = Files.readString(console);
            return text.contains("Exception while loading the app") || text.contains("CWWKZ0002E")
                    || text.contains("CWWKZ0004E");
        } catch (IOException e) {
            return false;
        }
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP port. */
    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The files the server logs to: Liberty's messages.log; Payara's --logtofile file(s). */
    public List<Path> logFiles() {
        Path logs = kind == Kind.LIBERTY ? dir.resolve("logs") : dir;
        String prefix = kind == Kind.LIBERTY ? "messages.log" : "server.log";
        if (!Files.isDirectory(logs)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(logs)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .filter(p -> !p.getFileName().toString().endsWith(".lck")).filter(Files::isRegularFile).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL of the server JVM (Payara Micro: the process started here is the JVM; Liberty: it and its children), as on a crash. */
    public void kill9() throws InterruptedException {
        // Liberty's bin/server run may leave the JVM a child of the script: SIGKILL the JVM(s) too
        for (ProcessHandle h : process.descendants().toList()) {
            h.destroyForcibly();
        }
        process.destroyForcibly();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " survived SIGKILL");
        }
    }

    /** The last 60 lines the server printed. */
    public String consoleTail() {
        try {
            if (!Files.exists(console)) {
                return "(no console output)";
            }
            List<String> lines = Files.readAllLines(console);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(console unreadable: " + e + ")";
        }
    }

    /** Stops the server cleanly (Liberty: bin/server stop; Payara: SIGTERM), then kills what is left of it. */
    @Override
    public void close() throws Exception {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        if (process.isAlive()) {
            if (kind == Kind.LIBERTY) {
                Path server = Path.of(command.get(0));
                Process stop = new ProcessBuilder(server.toString(), "stop", command.get(2)).directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
                        .start();
                stop.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } else {
                process.destroy();
            }
            process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        for (ProcessHandle h : tree) {
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }

    /** Deletes {@code dir} and everything below it; nothing when it does not exist. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name + " (" + kind + ", port " + port + ")";
    }
}
