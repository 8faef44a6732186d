package io.github.sseprogress.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.github.sseprogress.Manager;
import io.github.sseprogress.Progress;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.testing.InProcessServer;
import io.github.sseprogress.testing.RawSseClient;
import io.github.sseprogress.testing.SseParser;

/**
 * {@code rediss://}: two nodes reach a redis-server that only speaks TLS (a self-signed certificate
 * the JVM trusts through its default trust store, as a server's TLS configuration sets it). Runs in
 * a JVM of its own (the {@code tls} surefire execution), so the trust store is set before any TLS use.
 */
class RedisTlsCheck {

    private static Path dir;
    private static Process redis;
    private static int port;

    @BeforeAll
    static void startTlsRedis() throws Exception {
        dir = Files.createTempDirectory("sse-redis-tls-");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir.resolve("key.pem").toString(), "-out",
                dir.resolve("cert.pem").toString());
        run("keytool", "-importcert", "-noprompt", "-alias", "redis", "-file", dir.resolve("cert.pem").toString(),
                "-keystore", dir.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        System.setProperty("javax.net.ssl.trustStore", dir.resolve("trust.p12").toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        redis = new ProcessBuilder("redis-server", "--port", "0", "--tls-port", Integer.toString(port), "--bind",
                "127.0.0.1", "--tls-cert-file", dir.resolve("cert.pem").toString(), "--tls-key-file",
                dir.resolve("key.pem").toString(), "--tls-ca-cert-file", dir.resolve("cert.pem").toString(),
                "--tls-auth-clients", "no", "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.destroyForcibly().waitFor();
        }
    }

    private static InProcessServer node(String name) {
        InProcessServer node = InProcessServer.builder()
                .properties(Map.of("sse.cluster.redis.uri", "rediss://127.0.0.1:" + port, "sse.cluster.node-name", name,
                        "sse.heartbeat-interval", "0"))
                .beanPackagesOf(RedisEngine.class).resources(ClusterResource.class).start();
        node.bean(Manager.class).topics(); // starts the engine with this node's configuration
        return node;
    }

    @Test
    void nodesTalkThroughATlsOnlyRedis() throws Exception {
        List<InProcessServer> nodes = new ArrayList<>();
        try {
            InProcessServer a = node("tls-a");
            nodes.add(a);
            InProcessServer b = node("tls-b");
            nodes.add(b);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> a.bean(RedisEngine.class).isConnected() && b.bean(RedisEngine.class).isConnected());
            try (RawSseClient onB = RawSseClient.open(b.uri("topics/tls/events"))) {
                onB.readHead(Duration.ofSeconds(20));
                await().atMost(Duration.ofSeconds(20)).until(() -> b.bean(Manager.class).subscriberCount("tls") == 1);
                a.bean(Manager.class).publish("tls", "over tls");
                List<SseParser.Event> got = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (got.isEmpty() && System.nanoTime() < deadline) {
                    onB.readEvents(1, Duration.ofSeconds(1)).stream().filter(e -> !e.data().isEmpty()).forEach(got::add);
                }
                assertThat(got).extracting(SseParser.Event::data).containsExactly("over tls");
            }
            Tracker.Started s = a.bean(Tracker.class).start("tls-job");
            assertThat(s.isNew()).isTrue();
            s.job().finish(Progress.completed());
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> b.bean(Tracker.class).latest("tls-job").map(Tracker.Snapshot::finished).orElse(false));
        } finally {
            nodes.forEach(InProcessServer::close);
        }
    }
}
