package io.github.sseprogress.redis.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.github.sseprogress.testing.servers.ServerProcess;

/**
 * One node of the it-cluster suite: a real Open Liberty or Payara Micro process (the core's test utility
 * {@link ServerProcess}) running the cluster WAR at {@code /cluster-it}, configured through environment variables
 * ({@code SSE_CLUSTER_REDIS_URI} ...). Ready once its engine is subscribed to Redis.
 */
final class ServerNode extends ServerProcess {

    static final String CONTEXT = "cluster-it";

    private ServerNode(Kind kind, String name, int port, Path dir, List<String> command, Map<String, String> env) {
        super(kind, name, port, dir, command, env);
    }

    /** The Liberty server the it-cluster profile created (from server-config/liberty), the WAR in its dropins. */
    static ServerNode liberty(String name, Path war, Map<String, String> env) {
        Path wlp = Path.of(ClusterWar.required("it.cluster.liberty.wlpHome"));
        String server = ClusterWar.required("it.cluster.liberty.serverName");
        int port = Integer.parseInt(ClusterWar.required("it.cluster.liberty.port"));
        Path serverDir = prepareLiberty(wlp, server, CONTEXT, war, "it-cluster");
        return new ServerNode(Kind.LIBERTY, name, port, serverDir, libertyCommand(wlp, server), env);
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
        return new ServerNode(Kind.LIBERTY, name, port, serverDir, libertyCommand(wlp, server), env);
    }

    /** Payara Micro with the production pre-boot commands (server-config/payara/preboot.asadmin), logging to a file. */
    static ServerNode payara(String name, Path war, Map<String, String> env) {
        Path jar = Path.of(ClusterWar.required("it.cluster.payara.jar"));
        int port = Integer.parseInt(ClusterWar.required("it.cluster.payara.port"));
        return new ServerNode(Kind.PAYARA, name, port, jar.getParent(),
                payaraCommand(jar, port, ClusterWar.required("it.cluster.payara.preboot"), war, List.of()), env);
    }

    @Override
    public ServerNode start() {
        super.start();
        return this;
    }

    /** Waits until the application answers {@code GET api/node} with its engine subscribed to Redis. */
    ServerNode awaitReady() {
        awaitUp(uri("node"), r -> r.statusCode() == 200 && r.body().contains("\"connected\":true"));
        return this;
    }

    /** {@code http://127.0.0.1:<port>/cluster-it/api/<path>}. */
    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + "/" + CONTEXT + "/api/" + path);
    }
}
