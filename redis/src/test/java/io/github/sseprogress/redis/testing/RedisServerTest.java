package io.github.sseprogress.redis.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.testing.LogCapture;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisConnectionException;

class RedisServerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void startsOnLoopbackWithoutPersistenceOutsideTheWorkingDirectory() throws Exception {
        Path cwd = Path.of("").toAbsolutePath();
        try (RedisServer redis = RedisServer.start(); Jedis j = redis.client()) {
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.isRunning()).isTrue();
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.configGet("bind")).containsEntry("bind", "127.0.0.1");
            assertThat(j.configGet("save")).containsEntry("save", "");
            assertThat(j.configGet("appendonly")).containsEntry("appendonly", "no");
            Path dir = Path.of(j.configGet("dir").get("dir"));
            assertThat(dir).isEqualTo(redis.directory().toRealPath());
            assertThat(dir).isNotEqualTo(cwd);
        }
    }

    @Test
    void twoServersGetDifferentPorts() {
        try (RedisServer a = RedisServer.start(); RedisServer b = RedisServer.start()) {
            assertThat(a.port()).isNotEqualTo(b.port());
            try (Jedis ja = a.client(); Jedis jb = b.client()) {
                ja.set("k", "a");
                assertThat(jb.get("k")).isNull();
            }
        }
    }

    @Test
    void stopIsGracefulAndRestartComesBackOnTheSamePort() {
        try (RedisServer redis = RedisServer.start()) {
            int port = redis.port();
            redis.stop();
            assertThat(redis.isRunning()).isFalse();
            // redis-server handles SIGTERM: it shuts down and exits 0 (a signal death would be 143)
            assertThat(redis.lastExitCode()).hasValue(0);
            assertThat(redis.logText()).contains("ready to exit");
            assertThatThrownBy(() -> {
                try (Jedis j = redis.client()) {
                    j.ping();
                }
            }).isInstanceOf(JedisConnectionException.class);

            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.lastExitCode()).isEmpty();
            try (Jedis j = redis.client()) {
                assertThat(j.ping()).isEqualTo("PONG");
            }
        }
    }

    @Test
    void killIsSigkillAndRestartStartsEmpty() {
        try (RedisServer redis = RedisServer.start()) {
            String uri = redis.uri();
            Jedis held = redis.client();
            held.set("job:1", "running");
            assertThat(held.get("job:1")).isEqualTo("running");

            redis.kill();
            assertThat(redis.isRunning()).isFalse();
            assertThat(redis.lastExitCode()).hasValue(128 + 9);
            assertThat(redis.logText()).doesNotContain("ready to exit");
            // a connection opened before the kill fails on its next command
            assertThatThrownBy(held::ping).isInstanceOf(JedisConnectionException.class);
            held.close();

            redis.restart();
            assertThat(redis.uri()).isEqualTo(uri);
            try (Jedis j = redis.client()) {
                assertThat(j.get("job:1")).as("no persistence: the data died with the process").isNull();
                assertThat(j.dbSize()).isZero();
            }
        }
    }

    @Test
    void killPubSubClientsClosesSubscribersOnlyAndTheirSubscribeCallEnds() throws Exception {
        try (RedisServer redis = RedisServer.start(); Jedis plain = redis.client()) {
            assertThat(plain.ping()).isEqualTo("PONG");
            List<String> received = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> ended = new AtomicReference<>();
            JedisPubSub listener = new JedisPubSub() {
                @Override
                public void onMessage(String channel, String message) {
                    received.add(channel + "=" + message);
                }
            };
            Jedis subscriberConnection = redis.client();
            Thread subscriber = new Thread(() -> {
                try {
                    subscriberConnection.subscribe(listener, "events");
                    ended.set(new AssertionError("subscribe returned normally"));
                } catch (Throwable t) {
                    ended.set(t);
                }
            }, "redis-test-subscriber");
            subscriber.setDaemon(true);
            subscriber.start();
            try {
                await().atMost(WAIT).until(() -> plain.pubsubNumSub("events").get("events") == 1L);
                assertThat(plain.publish("events", "before")).isEqualTo(1);
                await().atMost(WAIT).until(() -> received.contains("events=before"));

                assertThat(redis.killPubSubClients()).isEqualTo(1);

                await().atMost(WAIT).until(() -> ended.get() != null);
                assertThat(ended.get()).isInstanceOf(JedisConnectionException.class);
                subscriber.join(WAIT.toMillis());
                assertThat(subscriber.isAlive()).isFalse();
                assertThat(plain.pubsubNumSub("events")).containsEntry("events", 0L);
                // the plain (non-subscribed) connection was not killed
                assertThat(plain.ping()).isEqualTo("PONG");
                assertThat(plain.publish("events", "after")).isZero();
                assertThat(received).containsExactly("events=before");
            } finally {
                subscriberConnection.close();
            }
        }
    }

    @Test
    void itsOwnConnectionsLogNoWarning() {
        // Jedis logs through SLF4J into JUL here; a plain Jedis left to negotiate RESP3 warns on every connect
        try (LogCapture log = LogCapture.warningsAndErrors()) {
            try (RedisServer redis = RedisServer.start()) {
                try (Jedis j = redis.client()) {
                    assertThat(j.ping()).isEqualTo("PONG");
                }
                redis.restart();
                assertThat(redis.killPubSubClients()).isZero();
            }
            assertThat(log.lines()).isEmpty();
        }
    }

    @Test
    void closeKillsTheProcessAndRemovesItsDirectory() {
        RedisServer redis = RedisServer.start();
        Path dir = redis.directory();
        assertThat(dir).isDirectory();
        redis.close();
        assertThat(redis.isRunning()).isFalse();
        assertThat(redis.lastExitCode()).hasValue(128 + 9);
        assertThat(dir).doesNotExist();
        assertThatThrownBy(() -> {
            try (Jedis j = redis.client()) {
                j.ping();
            }
        }).isInstanceOf(JedisConnectionException.class);
    }

    @Test
    void aMissingBinaryFailsWithAClearMessage() throws Exception {
        Path missing = Files.createTempDirectory("no-redis").resolve("redis-server");
        assertThatThrownBy(() -> RedisServer.start(missing))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("redis-server not found or not executable at " + missing)
                .hasMessageContaining("apt-get install redis-server");
        Files.delete(missing.getParent());
    }
}
