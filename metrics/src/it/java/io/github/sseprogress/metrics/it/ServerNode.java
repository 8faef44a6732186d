package io.github.sseprogress.metrics.it;

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
 * foreground) or Payara Micro ({@code java -jar payara-micro.jar}). Configuration reaches the application as
 * environment variables (MicroProfile Config's environment source). Only processes started here are ever stopped.
 * (A copy of the redis module's it-cluster node, without what only the cluster needs.)
 */
final class ServerNode implements AutoCloseable {

    static final String CONTEXT = "metrics-it";
    static final String DEMO_CONFIG = "sse-demo.xml";
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

    /** The Liberty server the it-servers profile created (from server-config/liberty and src/it/liberty), the WAR in its dropins. */
    static ServerNode liberty(String name, Path war, Map<String, String> env) {
        Path wlp = Path.of(MetricsWar.required("it.metrics.liberty.wlpHome"));
        String server = MetricsWar.required("it.metrics.liberty.serverName");
        int port = Integer.parseInt(MetricsWar.required("it.metrics.liberty.port"));
        Path serverDir = wlp.resolve("usr/servers").resolve(server);
        if (!Files.isRegularFile(serverDir.resolve("server.xml"))) {
            throw new IllegalStateException("no Liberty server at " + serverDir + ": run with -Pit-servers");
        }
        try {
            // this server runs either the test application (dropins) or the demo (apps + its config): one at a time
            Files.deleteIfExists(serverDir.resolve("configDropins/overrides").resolve(DEMO_CONFIG));
            Files.deleteIfExists(serverDir.resolve("apps/sse-demo.war"));
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
     * The same Liberty server running the demo WAR as the demo profiles deploy it: at the root context, with the
     * demo's own configDropins ({@code src/demo/liberty}: websocket-2.1, metrics and health features).
     */
    static ServerNode libertyDemo(String name, Path demoWar, Path demoConfig, Map<String, String> env) {
        Path wlp = Path.of(MetricsWar.required("it.metrics.liberty.wlpHome"));
        String server = MetricsWar.required("it.metrics.liberty.serverName");
        int port = Integer.parseInt(MetricsWar.required("it.metrics.liberty.port"));
        Path serverDir = wlp.resolve("usr/servers").resolve(server);
        try {
            Files.deleteIfExists(serverDir.resolve("dropins").resolve(CONTEXT + ".war"));
            Files.createDirectories(serverDir.resolve("apps"));
            Files.copy(demoWar, serverDir.resolve("apps/sse-demo.war"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(demoConfig, serverDir.resolve("configDropins/overrides").resolve(DEMO_CONFIG),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            deleteRecursively(serverDir.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServerNode(Kind.LIBERTY, name, port, serverDir,
                List.of(wlp.resolve("bin/server").toString(), "run", server), env);
    }

    /** Payara Micro with the production pre-boot commands (server-config/payara/preboot.asadmin), logging to a file. */
    static ServerNode payara(String name, Path war, Map<String, String> env) {
        return payara(name, war, env, List.of());
    }

    /** Payara Micro running the demo WAR at the root context, as the demo-payara profile runs it. */
    static ServerNode payaraDemo(String name, Path demoWar, Map<String, String> env) {
        return payara(name, demoWar, env, List.of("--contextroot", "/"));
    }

    private static ServerNode payara(String name, Path war, Map<String, String> env, List<String> extra) {
        Path jar = Path.of(MetricsWar.required("it.metrics.payara.jar"));
        int port = Integer.parseInt(MetricsWar.required("it.metrics.payara.port"));
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
                "--prebootcommandfile", MetricsWar.required("it.metrics.payara.preboot"),
                "--logtofile", dir.resolve("server.log").toString(),
                "--rootdir", dir.resolve("root").toString(),
                "--deploy", war.toString()));
        command.addAll(extra);
        return new ServerNode(Kind.PAYARA, name, port, dir, command, env);
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

    /** Waits until the server's readiness endpoint answers 200 with the library's check UP. */
    ServerNode awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Process p = process;
        try {
            await(name + " serves " + root("health/ready")).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(250))
                    .failFast(name + " exited or failed to deploy the application", () -> !p.isAlive() || deployFailed())
                    .ignoreExceptions()
                    .until(() -> {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(root("health/ready"))
                                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 200 && r.body().contains("sse-progress");
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

    /** {@code http://127.0.0.1:<port>/<path>}: the server's own endpoints ({@code metrics}, {@code health/ready}). */
    URI root(String path) {
        return URI.create("http://127.0.0.1:" + port + "/" + path);
    }

    /** {@code http://127.0.0.1:<port>/metrics-it/api/<path>}. */
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
