package io.github.sseprogress.redis.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;

/**
 * One real server node, started by the test as a process of its own: Open Liberty ({@code bin/server run}, in the
 * foreground) or Payara Micro ({@code java -jar payara-micro.jar}, the JVM itself, so {@link #kill9()} is a
 * SIGKILL of the server). Configuration reaches the application as environment variables (MicroProfile Config's
 * environment source: {@code SSE_CLUSTER_REDIS_URI} ...). Only processes started here are ever stopped or killed.
 */
final class ServerNode implements AutoCloseable {

    static final String CONTEXT = "cluster-it";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    enum Kind { LIBERTY, PAYARA }

    private final Kind kind;
    private final String name;
    private final int port;
    private final Path dir;
    private final Path console;
    private final List<String> command;
    private final Map<String, String> env;
    private Process process;

    private ServerNode(Kind kind, String name, int port, Path dir, List<String> command, Map<String, String> env) {
        this.kind = kind;
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.console = dir.resolve("console-" + name + ".log");
        this.command = command;
        this.env = env;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The Liberty server the it-cluster profile created (from server-config/liberty), the WAR in its dropins. */
    static ServerNode liberty(String name, Path war, Map<String, String> env) {
        Path wlp = Path.of(ClusterWar.required("it.cluster.liberty.wlpHome"));
        String server = ClusterWar.required("it.cluster.liberty.serverName");
        int port = Integer.parseInt(ClusterWar.required("it.cluster.liberty.port"));
        Path serverDir = wlp.resolve("usr/servers").resolve(server);
        if (!Files.isRegularFile(serverDir.resolve("server.xml"))) {
            throw new IllegalStateException("no Liberty server at " + serverDir + ": run with -Pit-cluster");
        }
        try {
            Files.createDirectories(serverDir.resolve("dropins"));
            Files.copy(war, serverDir.resolve("dropins").resolve(CONTEXT + ".war"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            deleteRecursively(serverDir.resolve("logs")); // this run's log only
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServerNode(Kind.LIBERTY, name, port, serverDir,
                List.of(wlp.resolve("bin/server").toString(), "run", server), env);
    }

    /**
     * A second Open Liberty server (a copy of the created one's server.xml and configDropins, listening on
     * {@code port} and {@code port + 1}): {@code -Dit.cluster.second=liberty} runs the suite on two Liberty nodes,
     * to tell a Payara-only failure from one of the cluster.
     */
    static ServerNode secondLiberty(String name, Path war, Map<String, String> env, int port) {
        Path wlp = Path.of(ClusterWar.required("it.cluster.liberty.wlpHome"));
        String first = ClusterWar.required("it.cluster.liberty.serverName");
        String server = first + "2";
        Path from = wlp.resolve("usr/servers").resolve(first);
        Path serverDir = wlp.resolve("usr/servers").resolve(server);
        try {
            deleteRecursively(serverDir);
            Files.createDirectories(serverDir.resolve("configDropins/overrides"));
            Files.createDirectories(serverDir.resolve("dropins"));
            Files.copy(from.resolve("server.xml"), serverDir.resolve("server.xml"));
            Files.writeString(serverDir.resolve("configDropins/overrides/ports.xml"), "<server>\n"
                    + "    <variable name=\"http.port\" value=\"" + port + "\"/>\n"
                    + "    <variable name=\"https.port\" value=\"" + (port + 1) + "\"/>\n</server>\n");
            Files.copy(war, serverDir.resolve("dropins").resolve(CONTEXT + ".war"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServerNode(Kind.LIBERTY, name, port, serverDir,
                List.of(wlp.resolve("bin/server").toString(), "run", server), env);
    }

    /** Payara Micro with the production pre-boot commands (server-config/payara/preboot.asadmin), logging to a file. */
    static ServerNode payara(String name, Path war, Map<String, String> env) {
        Path jar = Path.of(ClusterWar.required("it.cluster.payara.jar"));
        int port = Integer.parseInt(ClusterWar.required("it.cluster.payara.port"));
        Path dir = jar.getParent();
        deleteRecursively(dir.resolve("root"));
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("server.log")).toList()) {
                Files.delete(p); // this run's log only
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServerNode(Kind.PAYARA, name, port, dir, List.of(java(), "-jar", jar.toString(),
                "--nocluster", "--nohazelcast", "--port", Integer.toString(port),
                "--prebootcommandfile", ClusterWar.required("it.cluster.payara.preboot"),
                "--logtofile", dir.resolve("server.log").toString(),
                "--rootdir", dir.resolve("root").toString(),
                "--deploy", war.toString()), env);
    }

    /** Starts the process; {@link #awaitReady} waits for the application. */
    ServerNode start() {
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

    /** Waits until the application answers {@code GET api/node} with its engine subscribed to Redis. */
    ServerNode awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Process p = process;
        try {
            await(name + " serves " + uri("node")).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250))
                    .failFast(name + " exited or failed to deploy the application", () -> !p.isAlive() || deployFailed())
                    .ignoreExceptions()
                    .until(() -> {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("node"))
                                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 200 && r.body().contains("\"connected\":true");
                    });
        } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
            throw new IllegalStateException(name + " did not start; its console:\n" + consoleTail(), e);
        }
        return this;
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

    String name() {
        return name;
    }

    Kind kind() {
        return kind;
    }

    /** {@code http://127.0.0.1:<port>/cluster-it/api/<path>}. */
    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + "/" + CONTEXT + "/api/" + path);
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The files the server logs to: Liberty's messages.log; Payara's --logtofile file(s). */
    List<Path> logFiles() {
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
    void kill9() throws InterruptedException {
        // Liberty's bin/server run may leave the JVM a child of the script: SIGKILL the JVM(s) too
        for (ProcessHandle h : process.descendants().toList()) {
            h.destroyForcibly();
        }
        process.destroyForcibly();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " survived SIGKILL");
        }
    }

    String consoleTail() {
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

    private static void deleteRecursively(Path dir) {
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
