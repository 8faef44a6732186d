package io.github.sseprogress.redis.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ClientKillParams;

/**
 * A real {@code redis-server} (Debian's; {@code test.sh} installs it) on a free loopback port, with no
 * persistence (no RDB snapshots, no AOF) and its working directory, {@code --dir} and log in a temporary
 * directory of its own, so it never writes to the current directory. Every wait polls PING against a
 * deadline. {@link #close()} always kills the process and removes the directory.
 *
 * <p>The binary is {@code -Dsse.test.redis-server} when set, else {@code /usr/bin/redis-server}, else
 * {@code redis-server} on the {@code PATH}.
 */
public final class RedisServer implements AutoCloseable {

    /** How long a start or restart may take until the server answers PING. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final String HOST = "127.0.0.1";

    private final Path binary;
    private final Path dir;
    private final Path log;
    private final int port;
    private Process process;
    private Integer lastExitCode;

    private RedisServer(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.log = dir.resolve("redis.log");
        this.port = port;
    }

    /** Starts the default binary (see the class comment) on a free loopback port and waits until it answers PING. */
    public static RedisServer start() {
        return start(defaultBinary());
    }

    /** Starts {@code binary} on a free loopback port and waits until it answers PING. */
    public static RedisServer start(Path binary) {
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            throw new IllegalStateException("redis-server not found or not executable at " + binary
                    + ": install Debian's redis-server (apt-get install redis-server; ./test.sh does it) or set"
                    + " -Dsse.test.redis-server=/path/to/redis-server");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("sse-redis-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The free port is found by binding port 0 and closing it; another process may take it before
        // redis-server binds it, so a start that fails that way tries another port.
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            RedisServer server = new RedisServer(binary, dir, freeLoopbackPort());
            try {
                server.launch();
                return server;
            } catch (IllegalStateException e) {
                server.killProcess();
                failure = e;
            }
        }
        deleteRecursively(dir);
        throw failure;
    }

    private static Path defaultBinary() {
        String configured = System.getProperty("sse.test.redis-server");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path debian = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(debian)) {
            return debian;
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "redis-server"))) {
                return Path.of(entry, "redis-server");
            }
        }
        return debian; // start(Path) reports it missing
    }

    private static int freeLoopbackPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        List<String> command = List.of(binary.toString(),
                "--bind", HOST,
                "--port", Integer.toString(port),
                "--save", "",
                "--appendonly", "no",
                "--dir", dir.toString(),
                "--logfile", "",
                "--daemonize", "no",
                "--supervised", "no");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + command + ": " + e, e);
        }
        lastExitCode = null;
        Process started = process;
        try {
            await("redis-server on port " + port + " answers PING")
                    .atMost(START_TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .failFast("redis-server exited", () -> !started.isAlive())
                    .ignoreExceptionsInstanceOf(JedisException.class)
                    .until(this::answersPing);
        } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
            throw new IllegalStateException("redis-server did not answer PING on " + HOST + ":" + port
                    + (started.isAlive() ? " within " + START_TIMEOUT : " (exited with " + started.exitValue() + ")")
                    + "; its log:\n" + logText(), e);
        }
    }

    private boolean answersPing() {
        try (Jedis j = client()) {
            return "PONG".equals(j.ping());
        }
    }

    /** A new plain connection to this server (short timeouts); the caller closes it. */
    public Jedis client() {
        return new Jedis(new HostAndPort(HOST, port),
                DefaultJedisClientConfig.builder().connectionTimeoutMillis(1000).socketTimeoutMillis(5000)
                        // plain Jedis speaks RESP2 only: without this it logs a WARNING per connection
                        .serverDefaultProtocol().build());
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://" + HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The exit code of the last process after {@link #stop()} or {@link #kill()}; empty while running. */
    public synchronized OptionalInt lastExitCode() {
        return lastExitCode == null ? OptionalInt.empty() : OptionalInt.of(lastExitCode);
    }

    /** Graceful stop: SIGTERM (redis-server shuts down cleanly, saving nothing), then waits for the exit. */
    public synchronized void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        awaitExit();
    }

    /** SIGKILL: the process dies at once, as on a crash; its clients' connections are reset. */
    public synchronized void kill() {
        killProcess();
    }

    private void killProcess() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit();
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                throw new IllegalStateException("redis-server on port " + port + " did not exit within "
                        + STOP_TIMEOUT + "; its log:\n" + logText());
            }
            lastExitCode = process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server to exit", e);
        }
    }

    /**
     * Starts redis-server again on the same port (stopping it gracefully first if it runs) and waits until it
     * answers PING. With no persistence it starts empty.
     */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** {@code CLIENT KILL TYPE pubsub}: closes every subscribed connection; returns how many it closed. */
    public long killPubSubClients() {
        try (Jedis j = client()) {
            return j.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
        }
    }

    /** What redis-server has logged so far (its stdout and stderr). */
    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Kills the process (SIGKILL) and removes its directory. */
    @Override
    public synchronized void close() {
        try {
            killProcess();
        } finally {
            deleteRecursively(dir);
        }
    }

    /** The server's own directory ({@code --dir}, working directory and log). */
    public Path directory() {
        return dir;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temporary directory; best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + (isRunning() ? ", running" : ", stopped") + "]";
    }
}
