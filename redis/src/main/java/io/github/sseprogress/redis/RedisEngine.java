package io.github.sseprogress.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import io.github.sseprogress.internal.wire.EventFormatter;
import io.github.sseprogress.spi.ClusterEngine;
import io.github.sseprogress.spi.ClusterNode;
import io.github.sseprogress.spi.ClusterStatus;
import io.github.sseprogress.spi.ClusterUnavailableException;
import io.github.sseprogress.spi.JobRecord;

import jakarta.enterprise.context.ApplicationScoped;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The library's cluster engine on Redis ({@code sse.cluster.redis.uri} set; otherwise disabled).
 *
 * <h2>Model</h2>
 * Per topic, a Lua script ({@link Scripts#PUBLISH_TOPIC}) assigns the next id {@code <epoch>-<seq>},
 * appends the event to a bounded history stream and publishes it on one channel, atomically. Every
 * node subscribes to that channel and delivers each topic's events in seq order; a node that sees a
 * gap fills it from the history or tells its subscribers ({@code missed}); a new epoch (Redis lost
 * the topic) restarts positions. Jobs are a hash per topic created or joined by one script
 * ({@link Scripts#START_JOB}); the creating node holds a lease it renews, and any node ends a job
 * whose lease lapsed ({@link Scripts#REAP}).
 *
 * <h2>Threads (all from the container's ManagedThreadFactory)</h2>
 * <ul>
 *   <li><b>outbox</b>: sends queued publishes in pipelined batches, in order, retrying the batch
 *       while Redis is away (a retried topic publish is applied once: the script keeps each node's
 *       last op number); renews leases, reaps, sends the subscription check.</li>
 *   <li><b>subscription</b>: the blocking {@code SUBSCRIBE}; reconnects by itself; hands messages to
 *       the delivery queue (bounded: when full it waits, and Redis's own output limit for pub/sub
 *       clients cuts the connection, which is recovered like any other loss).</li>
 *   <li><b>delivery</b>: the only thread that calls {@link ClusterNode}'s delivery methods: parses
 *       and validates messages, tracks each followed topic's position, answers joins, fills gaps and
 *       re-checks positions after a reconnect.</li>
 *   <li><b>calls</b>: a small pool for the blocking reads of requests ({@link #startJob},
 *       {@link #job}); the request waits at most {@code sse.cluster.redis.timeout}.</li>
 * </ul>
 * No lock is shared between them; state of followed topics is confined to the delivery thread.
 */
@ApplicationScoped
public class RedisEngine implements ClusterEngine {

    private static final Logger LOG = Logger.getLogger(RedisEngine.class.getName());

    private final RedisSettings settings;
    private volatile ClusterNode node;
    private volatile boolean running;

    private final BlockingQueue<Op> outbox;
    private final BlockingQueue<Runnable> delivery = new ArrayBlockingQueue<>(10_000);
    /** Topics whose loss marker waits in the outbox (one at a time per topic). */
    private final Map<String, Boolean> droppedByTopic = new ConcurrentHashMap<>();
    /** Running jobs created on this node: lease member {@code <run> <topic>}. */
    private final Map<String, String> owned = new ConcurrentHashMap<>();
    private final AtomicLong ops = new AtomicLong();
    /**
     * This engine instance's identity in the op numbers Redis keeps per topic (a retried batch is
     * applied once): unique even when two nodes are misconfigured with one name or a node restarts.
     */
    private final String instance = Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private ThreadPoolExecutor calls;
    private final ThreadLocal<Jedis> callConnection = new ThreadLocal<>();
    private final List<Jedis> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Jedis subscriptionConnection;
    private volatile boolean connected;

    // subscription check: written by the outbox (sent) and delivery (seen) threads
    private volatile long checkSent;
    private volatile long checkSentAt;
    private volatile long checkSeen;
    // monitoring (status()): written by the delivery thread (probe) and publishers (dropped)
    private volatile long lastProbeAt;
    private volatile long probeLagMillis;
    private final AtomicLong publishesDropped = new AtomicLong();

    public RedisEngine() {
        this(ConfigProvider.getConfig());
    }

    RedisEngine(Config config) {
        this(RedisSettings.read(key -> config.getOptionalValue(key, String.class)).orElse(null));
    }

    RedisEngine(RedisSettings settings) {
        this.settings = settings;
        this.outbox = new LinkedBlockingQueue<>();
    }

    @Override
    public boolean enabled() {
        return settings != null;
    }

    @Override
    public String nodeName() {
        return settings == null ? null : settings.node();
    }

    /** Messages from Redis dropped as malformed since start. */
    public long rejectedMessages() {
        return rejected.get();
    }

    /** How often the subscription was (re)established since start. */
    public long subscriptions() {
        return reconnects.get();
    }

    /** Whether the subscription is up now. */
    public boolean isConnected() {
        return connected;
    }

    /**
     * For monitoring: the probe is the subscription check (a message this node publishes and must see
     * come back every {@code sse.cluster.redis.check-interval}); connected = subscribed and no check
     * overdue; lag = the last check's round trip; dropped = malformed messages received plus publishes
     * dropped while the outbox was full; reconnects = subscriptions after the first.
     */
    @Override
    public Optional<ClusterStatus> status() {
        if (settings == null) {
            return Optional.empty();
        }
        if (!unentered.isEmpty()) {
            reviveUnenteredThreads();
        }
        boolean subscribed = connected;
        long sentAt = checkSentAt;
        boolean overdue = checkSent > checkSeen
                && System.currentTimeMillis() - sentAt > 2 * settings.checkInterval().toMillis();
        long probe = lastProbeAt;
        return Optional.of(new ClusterStatus(subscribed && !overdue, subscribed,
                probe == 0 ? null : java.time.Instant.ofEpochMilli(probe), Duration.ofMillis(probeLagMillis),
                Math.max(0, reconnects.get() - 1), rejected.get() + publishesDropped.get()));
    }

    @Override
    public synchronized void start(ClusterNode clusterNode) {
        if (settings == null || running) {
            return;
        }
        // First what may fail (a container that cannot give its threads yet): then nothing has changed
        // and a later start can succeed.
        java.util.concurrent.ThreadFactory factory = clusterNode.threads();
        this.node = clusterNode;
        running = true;
        calls = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1000), factory);
        // threads keep their connection (a thread-local): they live as long as the engine, four at most
        startThread("sse-redis-outbox", this::outboxLoop);
        startThread("sse-redis-subscription", this::subscriptionLoop);
        startThread("sse-redis-delivery", this::deliveryLoop);
    }

    /**
     * The loops whose thread never ran them: Payara hands out managed threads while the application is still
     * deploying, then refuses to run them ("Module ... is disabled", logged SEVERE by the container), so an engine
     * first used then (a health probe during deployment, found by ClusterMetricsIT) would never connect. Such a
     * thread has ended without entering its loop; {@link #status()} (read by health checks and metrics) starts it
     * again. Liberty runs them once the application has started.
     */
    private final Map<Thread, String> unentered = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Thread, Runnable> loops = new java.util.concurrent.ConcurrentHashMap<>();

    private synchronized void reviveUnenteredThreads() {
        if (!running) {
            return;
        }
        for (Map.Entry<Thread, String> e : List.copyOf(unentered.entrySet())) {
            Thread t = e.getKey();
            if (!t.isAlive() && t.getState() == Thread.State.TERMINATED && unentered.remove(t) != null) {
                Runnable loop = loops.remove(t);
                threads.remove(t);
                LOG.log(Level.FINE, "the container ended {0} without running it: started again", t.getName());
                startThread(e.getValue(), loop);
            }
        }
    }

    private void startThread(String name, Runnable loop) {
        Thread[] self = {null};
        Runnable body = () -> {
            unentered.remove(self[0]);
            loop.run();
        };
        Thread t = node.threads().newThread(body);
        self[0] = t;
        unentered.put(t, name);
        loops.put(t, loop);
        try {
            t.setName(name + "-" + settings.node());
            t.setDaemon(true);
        } catch (SecurityException ignored) {
            // a container may refuse; the name is cosmetic
        }
        threads.add(t);
        t.start();
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        Jedis sub = subscriptionConnection;
        if (sub != null) {
            quietly(sub::disconnect);
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        calls.shutdownNow();
        unentered.clear();
        loops.clear();
        for (Jedis j : connections) {
            quietly(j::close);
        }
        connections.clear();
    }

    // ---------------------------------------------------------------- connections

    private Jedis connect(boolean blocking) {
        java.net.URI uri = settings.uri();
        int timeout = (int) settings.timeout().toMillis();
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(blocking ? 0 : timeout)
                .serverDefaultProtocol() // RESP2 on Redis 7: no protocol negotiation (and no warning per connection)
                .clientName("sse-progress-" + settings.node())
                .ssl(JedisURIHelper.isRedisSSLScheme(uri));
        String user = JedisURIHelper.getUser(uri);
        String password = JedisURIHelper.getPassword(uri);
        if (user != null) {
            b.user(user);
        }
        if (password != null) {
            b.password(password);
        }
        if (JedisURIHelper.hasDbIndex(uri)) {
            b.database(JedisURIHelper.getDBIndex(uri));
        }
        HostAndPort hp = new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
        Jedis j = new Jedis(hp, b.build());
        try {
            j.ping();
        } catch (RuntimeException e) {
            quietly(j::close);
            throw e;
        }
        connections.add(j);
        return j;
    }

    private void drop(Jedis j) {
        if (j != null) {
            connections.remove(j);
            quietly(j::close);
        }
    }

    /** Loads every script into this connection's server; returns their SHA1s in {@link Sha} order. */
    private static Sha load(Jedis j) {
        return new Sha(j.scriptLoad(Scripts.PUBLISH_TOPIC), j.scriptLoad(Scripts.START_JOB),
                j.scriptLoad(Scripts.PUBLISH_JOB), j.scriptLoad(Scripts.RENEW), j.scriptLoad(Scripts.REAP));
    }

    private record Sha(String publishTopic, String startJob, String publishJob, String renew, String reap) {
    }

    // ---------------------------------------------------------------- publishing (outbox)

    /** One queued write. */
    private record Op(String topic, String name, String data, String run, boolean json, boolean terminal, long op,
            boolean job, boolean loss) {
    }

    @Override
    public void publish(String topic, String name, String data) {
        checkSize(topic, data);
        if (!running) {
            return;
        }
        synchronized (outbox) { // op numbers follow queue order: Redis skips an op at or below one applied
            if (outbox.size() >= settings.outboxSize()) {
                // Dropped. A loss marker takes its place in the topic's sequence (beyond the bound, one per
                // topic until sent) and reaches every node's subscribers, through the history too.
                publishesDropped.incrementAndGet();
                if (droppedByTopic.putIfAbsent(topic, Boolean.TRUE) == null) {
                    outbox.add(new Op(topic, null, "", null, false, false, ops.incrementAndGet(), false, true));
                }
                return;
            }
            outbox.add(new Op(topic, name, data, null, false, false, ops.incrementAndGet(), false, false));
        }
    }

    @Override
    public void publishJob(String topic, String run, String name, String data, boolean json, boolean terminal) {
        checkSize(topic, data);
        if (!running) {
            return;
        }
        if (!terminal && outbox.size() >= settings.outboxSize()) {
            return; // latest-wins: a later snapshot or the terminal (never dropped) supersedes it
        }
        outbox.add(new Op(topic, name, data, run, json, terminal, 0, true, false));
    }

    private void checkSize(String topic, String data) {
        long size = (long) topic.length() + (data == null ? 0 : data.length()) + 200;
        if (size > settings.maxMessageSize()) {
            throw new IllegalArgumentException("The event is larger than " + RedisSettings.MAX_MESSAGE_SIZE + "="
                    + settings.maxMessageSize() + " characters");
        }
    }

    private void outboxLoop() {
        Jedis j = null;
        Sha sha = null;
        List<Op> batch = new ArrayList<>(256);
        long backoff = 50;
        long nextRenew = 0;
        long nextReap = 0;
        long nextCheck = 0;
        long lease = settings.lease().toMillis();
        while (running) {
            try {
                if (batch.isEmpty()) {
                    Op first = outbox.poll(50, TimeUnit.MILLISECONDS);
                    if (first != null) {
                        batch.add(first);
                        outbox.drainTo(batch, 255);
                    }
                }
                if (j == null) {
                    j = connect(false);
                    sha = load(j);
                    backoff = 50;
                }
                if (!batch.isEmpty()) {
                    send(j, sha, batch);
                    batch.clear();
                }
                long now = System.currentTimeMillis();
                if (now >= nextRenew) {
                    renew(j, sha);
                    nextRenew = now + Math.max(100, lease / 3);
                }
                if (now >= nextReap) {
                    j.evalsha(sha.reap(), List.of(settings.leases()), List.of(settings.jobs(), settings.channel(),
                            node.failedPayload("The node running this job stopped"),
                            Long.toString(node.jobRetention().toMillis()), "100"));
                    nextReap = now + Math.max(100, lease / 2);
                }
                if (now >= nextCheck) {
                    check(j, now);
                    nextCheck = now + settings.checkInterval().toMillis();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                LOG.log(Level.FINE, "Redis write failed; retrying", e);
                drop(j);
                j = null;
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff = Math.min(2000, backoff * 2);
            }
        }
        drop(j);
    }

    /** Sends a batch in one pipeline; an op Redis refuses (a script error) is logged and skipped. */
    private void send(Jedis j, Sha sha, List<Op> batch) {
        Pipeline p = j.pipelined();
        List<Response<Object>> answers = new ArrayList<>(batch.size());
        String retention = Long.toString(node.jobRetention().toMillis());
        for (Op op : batch) {
            String hasName = op.loss() ? "L" : op.name() == null ? "0" : "1";
            String name = op.name() == null ? "" : op.name();
            if (op.job()) {
                answers.add(p.evalsha(sha.publishJob(), List.of(settings.job(op.topic()), settings.leases()),
                        List.of(op.run(), hasName, name, op.data(), op.json() ? "1" : "0", op.terminal() ? "1" : "0",
                                retention, settings.channel(), op.topic())));
            } else {
                answers.add(p.evalsha(sha.publishTopic(), List.of(settings.meta(op.topic()), settings.history(op.topic())),
                        List.of(op.topic(), hasName, name, op.data(), newEpoch(),
                                Integer.toString(settings.historySize()), Long.toString(settings.historyAge().toMillis()),
                                settings.channel(), instance, Long.toString(op.op()))));
            }
        }
        p.sync(); // a connection failure throws here: the caller retries the whole batch
        for (int i = 0; i < batch.size(); i++) {
            try {
                answers.get(i).get();
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                LOG.log(Level.WARNING, "Redis refused a publish on topic " + batch.get(i).topic() + ": " + e.getMessage());
            }
            Op op = batch.get(i);
            if (op.job() && op.terminal()) {
                owned.remove(op.topic(), op.run());
            }
            if (op.loss()) {
                droppedByTopic.remove(op.topic()); // the next drop queues a new marker
            }
        }
    }

    private void renew(Jedis j, Sha sha) {
        if (owned.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(owned.size() + 1);
        args.add(Long.toString(settings.lease().toMillis()));
        owned.forEach((topic, run) -> args.add(run + " " + topic));
        j.evalsha(sha.renew(), List.of(settings.leases()), args);
    }

    /**
     * The subscription check: publishes a numbered message this node must see come back through its
     * subscription, the next one only once it came back; one that did not come back within two
     * intervals means the subscription looks alive but receives nothing, and it is re-established.
     */
    private void check(Jedis j, long now) {
        long interval = settings.checkInterval().toMillis();
        if (checkSent > checkSeen) {
            if (!connected || now - checkSentAt <= 2 * interval) {
                return; // still on its way (a busy node gets two intervals), or being re-established
            }
            LOG.log(Level.WARNING, "The Redis subscription of node {0} received nothing for {1} ms: re-subscribing",
                    new Object[] {settings.node(), now - checkSentAt});
            Jedis sub = subscriptionConnection;
            if (sub != null) {
                quietly(sub::disconnect);
            }
            checkSeen = checkSent;
        }
        long n = checkSent + 1;
        j.publish(settings.channel(), "{\"v\":1,\"k\":\"p\",\"o\":" + quote(settings.node()) + ",\"s\":" + n + "}");
        checkSentAt = now;
        checkSent = n;
    }

    private static String newEpoch() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFFFL, 36);
    }

    // ---------------------------------------------------------------- subscription

    private void subscriptionLoop() {
        long backoff = 50;
        while (running) {
            Jedis j = null;
            try {
                j = connect(true);
                subscriptionConnection = j;
                j.subscribe(new Listener(), settings.channel()); // blocks until the connection ends
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Redis subscription ended", e);
            } finally {
                subscriptionConnection = null;
                if (connected) {
                    connected = false;
                    if (running) { // at stop the engine ends it itself
                        LOG.log(Level.WARNING, "Node {0} lost its Redis subscription; reconnecting", settings.node());
                    }
                }
                drop(j);
            }
            if (!running) {
                break;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff = Math.min(2000, backoff * 2);
        }
    }

    private final class Listener extends JedisPubSub {
        @Override
        public void onSubscribe(String channel, int count) {
            reconnects.incrementAndGet();
            boolean again = reconnects.get() > 1;
            connected = true;
            checkSeen = checkSent;
            if (again) {
                LOG.log(Level.INFO, "Node {0} re-subscribed to Redis", settings.node());
            }
            enqueue(RedisEngine.this::resync); // before any message of the new subscription
        }

        @Override
        public void onMessage(String channel, String message) {
            enqueue(() -> receive(message));
        }
    }

    private void enqueue(Runnable r) {
        try {
            delivery.put(r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- delivery (one thread)

    /** A followed topic's position on this node. Delivery thread only. */
    private static final class Feed {
        String epoch;
        long last;
        long lastAt = System.currentTimeMillis();

        Feed(String epoch, long last) {
            this.epoch = epoch;
            this.last = last;
        }

        String lastId() {
            return epoch == null || last == 0 ? null : epoch + "-" + last;
        }
    }

    private final Map<String, Feed> feeds = new HashMap<>();
    private Jedis reader;
    private long nextSweep;

    private void deliveryLoop() {
        while (running) {
            try {
                Runnable r = delivery.poll(1, TimeUnit.SECONDS);
                if (r != null) {
                    r.run();
                }
                long now = System.currentTimeMillis();
                if (now >= nextSweep) {
                    feeds.keySet().removeIf(topic -> !node.follows(topic)); // memory follows what is live
                    nextSweep = now + settings.checkInterval().toMillis();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Cluster delivery failed on node " + settings.node(), e);
            }
        }
        drop(reader);
    }

    /** The delivery thread's connection for reads (history, positions); null when Redis is away. */
    private Jedis reader() {
        if (reader == null) {
            try {
                reader = connect(false);
            } catch (RuntimeException e) {
                return null;
            }
        }
        return reader;
    }

    private void readerFailed(RuntimeException e) {
        LOG.log(Level.FINE, "Redis read failed", e);
        drop(reader);
        reader = null;
    }

    /**
     * Runs a read on the delivery thread's connection; a connection that broke while Redis was away
     * is replaced once. Null when Redis cannot answer.
     */
    private <T> T read(java.util.function.Function<Jedis, T> body) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Jedis j = reader();
            if (j == null) {
                return null;
            }
            try {
                return body.apply(j);
            } catch (RuntimeException e) {
                readerFailed(e);
            }
        }
        return null;
    }

    private void receive(String message) {
        Envelope env;
        try {
            env = Envelope.parse(message, settings.maxMessageSize());
        } catch (Envelope.Malformed e) {
            long n = rejected.incrementAndGet();
            LOG.log(n == 1 ? Level.WARNING : Level.FINE, "Dropped a malformed message from Redis channel {0} ({1}); "
                    + "{2} dropped so far", new Object[] {settings.channel(), e.getMessage(), n});
            return;
        }
        switch (env.kind()) {
            case 't':
                topicEvent(env);
                break;
            case 'j':
                node.jobEvent(new JobRecord(env.topic(), env.run(), false, env.seq(), env.name(), env.data(), env.json(),
                        env.terminal()));
                if (env.terminal()) {
                    owned.remove(env.topic(), env.run());
                }
                break;
            case 'c':
                node.jobCancelRequested(env.topic(), env.run());
                break;
            case 'p':
                if (settings.node().equals(env.node())) {
                    if (env.seq() == checkSent && env.seq() > checkSeen) {
                        long now = System.currentTimeMillis();
                        probeLagMillis = Math.max(0, now - checkSentAt);
                        lastProbeAt = now;
                    }
                    checkSeen = Math.max(checkSeen, env.seq());
                }
                break;
            default:
                break;
        }
    }

    private void topicEvent(Envelope env) {
        String topic = env.topic();
        if (!node.follows(topic)) {
            feeds.remove(topic);
            return;
        }
        Feed f = feeds.get(topic);
        if (f == null) {
            f = new Feed(env.epoch(), env.seq() - 1);
            feeds.put(topic, f);
        } else if (f.epoch == null) {
            f.epoch = env.epoch();
            f.last = Math.min(f.last, env.seq() - 1);
        } else if (!f.epoch.equals(env.epoch())) {
            newEpoch(topic, f, env.epoch());
        }
        if (env.seq() <= f.last) {
            return; // already delivered (a backfill overtook it)
        }
        if (env.seq() > f.last + 1) {
            backfill(topic, f, env.seq() - 1);
        }
        deliver(topic, f, env.seq(), env.name(), env.data(), env.loss());
    }

    /**
     * The topic's numbering restarted. A quiet topic whose keys expired with its history's age lost
     * nothing (positions restart silently); otherwise Redis lost it: subscribers are told.
     */
    private void newEpoch(String topic, Feed f, String epoch) {
        boolean quiet = System.currentTimeMillis() - f.lastAt >= settings.historyAge().toMillis();
        node.topicLost(topic, quiet ? null : "history-reset", null, true);
        f.epoch = epoch;
        f.last = 0;
    }

    private void deliver(String topic, Feed f, long seq, String name, String data, boolean lost) {
        f.last = seq;
        f.lastAt = System.currentTimeMillis();
        if (lost) {
            node.topicGap(topic, seq, f.epoch + "-" + seq, "publish-dropped");
        } else {
            node.topicEvent(topic, seq, f.epoch + "-" + seq, name, data);
        }
    }

    /** Delivers the topic's events after the feed's position up to {@code upTo} from the history, or reports the loss. */
    private void backfill(String topic, Feed f, long upTo) {
        List<ClusterNode.Entry> entries = range(topic, f.epoch, f.last, upTo);
        if (entries == null) {
            node.topicLost(topic, "gap", f.lastId(), false);
            f.last = upTo;
            return;
        }
        for (ClusterNode.Entry e : entries) {
            deliver(topic, f, e.seq(), e.name(), e.data(), e.lost());
        }
    }

    /**
     * The entries {@code (after, upTo]} of the topic's history, complete and young enough; null when
     * the history cannot serve them all (trimmed, expired, another epoch, Redis away).
     */
    private List<ClusterNode.Entry> range(String topic, String epoch, long after, long upTo) {
        if (upTo <= after) {
            return List.of();
        }
        Object[] read = read(j -> new Object[] {j.hget(settings.meta(topic), "e"),
            j.xrange(settings.history(topic), "0-" + (after + 1), "0-" + upTo)});
        if (read == null) {
            return null;
        }
        String currentEpoch = (String) read[0];
        @SuppressWarnings("unchecked")
        List<StreamEntry> raw = (List<StreamEntry>) read[1];
        if (epoch == null || !epoch.equals(currentEpoch) || raw.size() != upTo - after) {
            return null;
        }
        long oldest = System.currentTimeMillis() - settings.historyAge().toMillis();
        List<ClusterNode.Entry> out = new ArrayList<>(raw.size());
        long expect = after + 1;
        for (StreamEntry e : raw) {
            Map<String, String> fields = e.getFields();
            long seq = e.getID().getSequence();
            String t = fields.get("t");
            if (seq != expect++ || t == null || Long.parseLong(t) < oldest) {
                return null;
            }
            if ("L".equals(fields.get("h"))) {
                out.add(new ClusterNode.Entry(seq, epoch + "-" + seq, null, null, true));
                continue;
            }
            String name = "1".equals(fields.get("h")) ? fields.get("n") : null;
            String data = fields.get("d");
            if (data == null || name != null && (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0)) {
                return null; // not an entry this engine wrote
            }
            out.add(new ClusterNode.Entry(seq, epoch + "-" + seq, name, EventFormatter.normaliseLineBreaks(data), false));
        }
        return out;
    }

    @Override
    public void catchUp(String topic, String lastEventId, Object ticket) {
        enqueue(() -> answer(topic, lastEventId, ticket));
    }

    private void answer(String topic, String lastEventId, Object ticket) {
        Feed f = feeds.get(topic);
        if (f == null) {
            f = position(topic);
            feeds.put(topic, f);
        }
        long pos = f.last;
        if (lastEventId == null) {
            node.caughtUp(topic, ticket, new ClusterNode.CatchUp(List.of(), pos, null, f.lastId()));
            return;
        }
        int dash = lastEventId.lastIndexOf('-');
        long seq = -1;
        if (dash > 0) {
            try {
                seq = Long.parseLong(lastEventId.substring(dash + 1));
            } catch (NumberFormatException e) {
                seq = -1;
            }
        }
        if (seq < 0 || f.epoch == null || !f.epoch.equals(lastEventId.substring(0, dash))) {
            String reason = f.epoch == null && !connected ? "cluster-unavailable" : "last-event-id-unknown";
            node.caughtUp(topic, ticket, new ClusterNode.CatchUp(null, pos, reason, f.lastId()));
            return;
        }
        if (seq >= pos) {
            node.caughtUp(topic, ticket, new ClusterNode.CatchUp(List.of(), seq, null, f.lastId()));
            return;
        }
        List<ClusterNode.Entry> entries = range(topic, f.epoch, seq, pos);
        if (entries == null) {
            String reason = reader == null ? "cluster-unavailable" : "last-event-id-unknown";
            node.caughtUp(topic, ticket, new ClusterNode.CatchUp(null, pos, reason, f.lastId()));
        } else {
            node.caughtUp(topic, ticket, new ClusterNode.CatchUp(entries, pos, null, f.lastId()));
        }
    }

    /** The topic's position in Redis now (epoch unknown and 0 when it has none or Redis is away). */
    private Feed position(String topic) {
        List<String> m = read(j -> j.hmget(settings.meta(topic), "e", "s"));
        return m == null || m.get(0) == null ? new Feed(null, 0) : new Feed(m.get(0), Long.parseLong(m.get(1)));
    }

    /**
     * After (re)subscribing: every followed topic's position is checked against Redis, and what this
     * node missed while it was away is delivered from the history, or its subscribers are told; every
     * job this node holds is re-read (latest-wins), and one Redis no longer knows ends failed.
     */
    private void resync() {
        for (Iterator<Map.Entry<String, Feed>> it = feeds.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Feed> e = it.next();
            String topic = e.getKey();
            Feed f = e.getValue();
            if (!node.follows(topic)) {
                it.remove();
                continue;
            }
            Feed now = position(topic);
            if (reader == null) {
                node.topicLost(topic, "cluster-unavailable", f.lastId(), false);
                continue;
            }
            if (now.epoch == null) {
                if (f.epoch != null) {
                    newEpoch(topic, f, null);
                }
                continue;
            }
            if (f.epoch != null && !f.epoch.equals(now.epoch)) {
                newEpoch(topic, f, now.epoch);
            }
            f.epoch = now.epoch;
            if (now.last > f.last) {
                backfill(topic, f, now.last);
            }
        }
        for (String topic : node.jobTopics()) {
            Optional<JobRecord> r = read(j -> readJob(j, topic));
            if (r == null) {
                continue;
            }
            if (r.isPresent()) {
                node.jobEvent(r.get());
                if (cancelFlag(topic, r.get().run())) { // a cancel published while this node was away
                    node.jobCancelRequested(topic, r.get().run());
                }
            } else {
                node.jobLost(topic);
            }
        }
    }

    // ---------------------------------------------------------------- jobs (calls)

    @Override
    public JobRecord startJob(String topic, boolean replaceFinished) {
        String run = Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL, 36);
        JobRecord r = call(j -> {
            @SuppressWarnings("unchecked")
            List<Object> a = (List<Object>) j.eval(Scripts.START_JOB, List.of(settings.job(topic), settings.leases()),
                    List.of(replaceFinished ? "1" : "0", run, settings.node(), Long.toString(settings.lease().toMillis()),
                            topic));
            return record(topic, "1".equals(str(a.get(0))), a.subList(1, a.size()));
        });
        if (r.created()) {
            owned.put(topic, r.run());
        }
        return r;
    }

    @Override
    public Optional<JobRecord> cancelJob(String topic) {
        return call(j -> {
            @SuppressWarnings("unchecked")
            List<Object> a = (List<Object>) j.eval(Scripts.CANCEL_JOB, List.of(settings.job(topic)),
                    List.of(settings.channel(), topic));
            return a == null ? Optional.<JobRecord>empty() : Optional.of(record(topic, false, a));
        });
    }

    /** Whether run {@code run} of the job of {@code topic} has its cancel flag (delivery thread). */
    private boolean cancelFlag(String topic, String run) {
        List<String> h = read(j -> j.hmget(settings.job(topic), "r", "c"));
        return h != null && run.equals(h.get(0)) && "1".equals(h.get(1));
    }

    @Override
    public Optional<JobRecord> job(String topic) {
        return call(j -> readJob(j, topic));
    }

    private Optional<JobRecord> readJob(Jedis j, String topic) {
        if (j == null) {
            throw new ClusterUnavailableException("Redis is unreachable", null);
        }
        List<String> h = j.hmget(settings.job(topic), "r", "s", "h", "n", "d", "j", "f");
        if (h.get(0) == null) {
            return Optional.empty();
        }
        return Optional.of(record(topic, false, new ArrayList<>(h)));
    }

    /** {run, seq, hasName, name, data, json, finished} as Redis returns them. */
    private static JobRecord record(String topic, boolean created, List<?> f) {
        String run = str(f.get(0));
        long seq = Long.parseLong(str(f.get(1)));
        String name = "1".equals(str(f.get(2))) ? str(f.get(3)) : null;
        String data = seq == 0 ? null : str(f.get(4));
        return new JobRecord(topic, run, created, seq, name, data, "1".equals(str(f.get(5))), "1".equals(str(f.get(6))));
    }

    private static String str(Object o) {
        if (o == null) {
            return null;
        }
        return o instanceof byte[] ? new String((byte[]) o, java.nio.charset.StandardCharsets.UTF_8) : o.toString();
    }

    private <T> T call(java.util.function.Function<Jedis, T> body) {
        if (!running) {
            throw new ClusterUnavailableException("the cluster engine is stopped", null);
        }
        Future<T> f;
        try {
            f = calls.submit(() -> {
                // A connection that broke while Redis was away fails its first command: one retry on a
                // fresh connection (the calls are idempotent: a read, or START_JOB with this call's run).
                for (int attempt = 0;; attempt++) {
                    Jedis j = callConnection.get();
                    try {
                        if (j == null) {
                            j = connect(false);
                            callConnection.set(j);
                        }
                        return body.apply(j);
                    } catch (RuntimeException e) {
                        if (e instanceof redis.clients.jedis.exceptions.JedisDataException) {
                            throw e;
                        }
                        drop(j);
                        callConnection.remove();
                        if (attempt > 0 || !(e instanceof redis.clients.jedis.exceptions.JedisConnectionException)) {
                            throw e;
                        }
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new ClusterUnavailableException("too many cluster calls waiting", e);
        }
        try {
            return f.get(settings.timeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ClusterUnavailableException("Redis did not answer within " + settings.timeout().multipliedBy(2), e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ClusterUnavailableException) {
                throw (ClusterUnavailableException) c;
            }
            throw new ClusterUnavailableException("Redis is unreachable: " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterUnavailableException("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String quote(String s) {
        return jakarta.json.Json.createValue(s).toString();
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(Level.FINEST, "ignored", e);
        }
    }

    /** For tests: the settings in force. */
    RedisSettings settings() {
        return settings;
    }

}
