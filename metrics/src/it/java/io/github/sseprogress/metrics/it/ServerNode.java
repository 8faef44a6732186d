package io.github.sseprogress.metrics.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

import io.github.sseprogress.testing.servers.ServerProcess;

/**
 * One server of the it-servers suite: a real Open Liberty or Payara Micro process (the core's test utility
 * {@link ServerProcess}) running the metrics test WAR at {@code /metrics-it} or the demo WAR at the root, configured
 * through environment variables. Ready once its readiness endpoint reports the library's check.
 */
final class ServerNode extends ServerProcess {

    static final String CONTEXT = "metrics-it";
    static final String DEMO_CONFIG = "sse-demo.xml";

    private ServerNode(Kind kind, String name, int port, Path dir, List<String> command, Map<String, String> env) {
        super(kind, name, port, dir, command, env);
    }

    /** The Liberty server the it-servers profile created (from server-config/liberty and src/it/liberty), the WAR in its dropins. */
    static ServerNode liberty(String name, Path war, Map<String, String> env) {
        Path wlp = Path.of(MetricsWar.required("it.metrics.liberty.wlpHome"));
        String server = MetricsWar.required("it.metrics.liberty.serverName");
        int port = Integer.parseInt(MetricsWar.required("it.metrics.liberty.port"));
        Path serverDir = wlp.resolve("usr/servers").resolve(server);
        try {
            // this server runs either the test application (dropins) or the demo (apps + its config): one at a time
            Files.deleteIfExists(serverDir.resolve("configDropins/overrides").resolve(DEMO_CONFIG));
            Files.deleteIfExists(serverDir.resolve("apps/sse-demo.war"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        prepareLiberty(wlp, server, CONTEXT, war, "it-servers");
        return new ServerNode(Kind.LIBERTY, name, port, serverDir, libertyCommand(wlp, server), env);
    }

    /**
     * The same Liberty server running the demo WAR as the demo profiles deploy it: at the root context, with the
     * demo's own configDropins ({@code src/demo/liberty}: websocket-2.1, metrics and health features).
     */
    static ServerNode libertyDemo(String name, Path demoWar, Path demoConfig, Map<String, String> env) {
        Path wlp = Path.of(MetricsWar.required("it.metrics.liberty.wlpHome"));
        String server = MetricsWar.required("it.metrics.liberty.serverName");
        int port = Integer.parseInt(MetricsWar.required("it.metrics.liberty.port"));
        Path serverDir = prepareLiberty(wlp, server, CONTEXT, null, "it-servers");
        try {
            Files.deleteIfExists(serverDir.resolve("dropins").resolve(CONTEXT + ".war"));
            Files.createDirectories(serverDir.resolve("apps"));
            Files.copy(demoWar, serverDir.resolve("apps/sse-demo.war"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(demoConfig, serverDir.resolve("configDropins/overrides").resolve(DEMO_CONFIG),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServerNode(Kind.LIBERTY, name, port, serverDir, libertyCommand(wlp, server), env);
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
        return new ServerNode(Kind.PAYARA, name, port, jar.getParent(),
                payaraCommand(jar, port, MetricsWar.required("it.metrics.payara.preboot"), war, extra), env);
    }

    @Override
    public ServerNode start() {
        super.start();
        return this;
    }

    /** Waits until the server's readiness endpoint answers 200 with the library's check UP. */
    ServerNode awaitReady() {
        awaitUp(root("health/ready"), ServerNode::ready);
        return this;
    }

    /** The readiness endpoint answered 200 with the library's check. */
    private static boolean ready(java.net.http.HttpResponse<String> r) {
        return r.statusCode() == 200 && r.body().contains("sse-progress");
    }

    /**
     * As {@link #awaitReady()}, asking every 20 ms from the process's start, so that probes also come while the
     * application deploys; returns every distinct answer of {@code /health/ready} seen on the way.
     */
    List<String> awaitReadyWatching() {
        return awaitUp(root("health/ready"), ServerNode::ready, java.time.Duration.ofMillis(20));
    }

    /** {@code http://127.0.0.1:<port>/<path>}: the server's own endpoints ({@code metrics}, {@code health/ready}). */
    URI root(String path) {
        return URI.create("http://127.0.0.1:" + port() + "/" + path);
    }

    /** {@code http://127.0.0.1:<port>/metrics-it/api/<path>}. */
    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + "/" + CONTEXT + "/api/" + path);
    }
}
