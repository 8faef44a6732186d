package io.github.sseprogress.internal.progress;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.NoSuchTopicException;
import io.github.sseprogress.Progress;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.SubscribeOptions;
import io.github.sseprogress.Tracker;
import io.github.sseprogress.internal.cluster.ClusterBridge;
import io.github.sseprogress.internal.config.SseConfig;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.delivery.Hooks;
import io.github.sseprogress.internal.delivery.Admission;
import io.github.sseprogress.internal.delivery.LimitExceeded;
import io.github.sseprogress.internal.delivery.Limits;
import io.github.sseprogress.internal.delivery.Refusals;
import io.github.sseprogress.internal.wire.ControlFrames;
import io.github.sseprogress.internal.delivery.Mailbox;
import io.github.sseprogress.internal.delivery.Outlet;
import io.github.sseprogress.internal.delivery.Subscriber;
import io.github.sseprogress.internal.wire.EventFormatter;
import io.github.sseprogress.spi.ClusterEngine;
import io.github.sseprogress.spi.ClusterUnavailableException;
import io.github.sseprogress.spi.JobRecord;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ServiceUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * The {@link Tracker} bean: a registry of jobs by topic, ported from the Go tracker.
 *
 * <h2>Registry algorithm</h2>
 * {@code jobs} is a {@link ConcurrentHashMap}. {@code start} and {@code startOrJoin} run inside its
 * per-key atomic {@code compute}, which decides with the seed's table (running → join; retained
 * terminal → {@code start} replaces, {@code startOrJoin} reuses; none → create) and records whether
 * this call created the job, so of any number of concurrent callers exactly one sees "new". Finishing
 * a job schedules its clean-up on the managed scheduler after the retention; clean-up is
 * {@code jobs.remove(topic, job)}, which removes the entry only if it is still that job, so a job that
 * replaced it survives. {@code subscribe}, {@code latest} and {@code publish} never lock the registry
 * ({@code get} is lock-free).
 *
 * <h2>Threads and lock order</h2>
 * Tracker → job, never back: the only lock is the map's per-key bin lock inside {@code compute} and
 * {@code remove}; inside it the code reads {@link JobImpl#isFinished()} (one volatile read, the job is
 * lock-free) and constructs a job, nothing else. A job calls back into the tracker
 * ({@link #finished}) after its own state change, holding nothing. Callers' threads run
 * {@code start}/{@code subscribe}; the work's thread runs {@code publish}/{@code finish} (enqueue
 * only); the managed scheduler runs retention clean-up and every client write.
 */
@ApplicationScoped
public class TrackerBean implements Tracker {

    private static final Logger LOG = Logger.getLogger(TrackerBean.class.getName());

    @Inject
    Delivery delivery;

    @Inject
    Hooks hooks;

    @Inject
    Limits limits;

    @Inject
    ClusterBridge clusterBridge;

    /** The cluster engine, or null on a single node. */
    private ClusterEngine cluster;

    private final ConcurrentHashMap<String, JobImpl> jobs = new ConcurrentHashMap<>();
    private final EventFormatter formatter = new EventFormatter();
    private volatile boolean shutDown;

    @PostConstruct
    void init() {
        cluster = clusterBridge.engine();
        if (cluster != null) {
            clusterBridge.jobs(new ClusterSide());
        }
    }

    @Override
    public Started start(String topic) {
        return open(topic, true);
    }

    @Override
    public Started startOrJoin(String topic) {
        return open(topic, false);
    }

    private Started open(String topic, boolean replaceFinished) {
        checkTopic(topic);
        checkRunning();
        if (cluster != null) {
            return openClustered(topic, replaceFinished);
        }
        JobImpl[] created = {null};
        JobImpl job = jobs.compute(topic, (t, current) -> {
            if (current != null && (!replaceFinished || !current.isFinished())) {
                return current;
            }
            created[0] = new JobImpl(t, formatter, this::finished);
            return created[0];
        });
        if (shutDown && created[0] != null) {
            // raced shutdown(): it may have missed this job
            jobs.remove(topic, job);
            job.drop();
            checkRunning();
        }
        if (created[0] != null) {
            limitRunTime(created[0]);
        }
        return new Started(job, created[0] != null);
    }

    /**
     * Clustered: the engine decides atomically across nodes; this node keeps a mirror of the run
     * (the creator's is where the work runs) fed by the engine, re-read after the mirror is in place
     * so no event falls between the read and the feed.
     */
    private Started openClustered(String topic, boolean replaceFinished) {
        JobRecord r = clusterCall(() -> cluster.startJob(topic, replaceFinished));
        JobImpl job = mirror(r);
        if (!r.created()) {
            clusterCall(() -> cluster.job(topic)).ifPresent(job::accept);
        } else {
            limitRunTime(job);
        }
        return new Started(job, r.created());
    }

    /** The local mirror of the cluster's run {@code r}, created (replacing an older run's) when absent. */
    private JobImpl mirror(JobRecord r) {
        JobImpl[] replaced = {null};
        JobImpl job = jobs.compute(r.topic(), (t, current) -> {
            if (current != null && current.run().equals(r.run())) {
                return current;
            }
            replaced[0] = current;
            return new JobImpl(t, formatter, this::finished, cluster, r.run());
        });
        if (replaced[0] != null) {
            replaced[0].drop(); // an older run this node missed the end of: its streams reconnect
        }
        job.accept(r);
        return job;
    }

    private <T> T clusterCall(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ClusterUnavailableException e) {
            throw new ServiceUnavailableException("SSE progress cluster is unavailable: " + e.getMessage());
        }
    }

    /**
     * A job whose code never calls {@code finish} would be held forever: after
     * {@code sse.tracker.max-run-time} it is finished {@code failed}. The timer holds the job weakly
     * (a scheduler may keep a cancelled task queued until its time) and only enqueues the terminal.
     */
    private void limitRunTime(JobImpl job) {
        Duration max = delivery.config().trackerMaxRunTime();
        if (max.isZero()) {
            return;
        }
        WeakReference<JobImpl> ref = new WeakReference<>(job);
        String topic = job.topic();
        try {
            job.deadline(delivery.scheduling().executor().schedule(() -> {
                JobImpl j = ref.get();
                if (j != null && j.finish(Progress.failed("The job did not finish within " + human(max)))) {
                    LOG.log(Level.WARNING, "Job {0} did not call finish within {1} ({2}): finished it as failed",
                            new Object[] {topic, max, SseConfig.TRACKER_MAX_RUN_TIME});
                }
            }, max.toNanos(), TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException e) {
            // the container is stopping: shutdown() drops every job
        }
    }

    private static String human(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void subscribe(String topic, SseEventSink sink, Sse sse) {
        subscribe(topic, sink, sse, SubscribeOptions.defaults());
    }

    @Override
    public void subscribe(String topic, SseEventSink sink, Sse sse, String lastEventId) {
        subscribe(topic, sink, sse, SubscribeOptions.builder().lastEventId(lastEventId).build());
    }

    @Override
    public void subscribe(String topic, SseEventSink sink, Sse sse, SubscribeOptions options) {
        checkTopic(topic);
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(sse, "sse");
        SubscribeOptions opts = options == null ? SubscribeOptions.defaults() : options;
        refuseTopicSettings(opts);
        checkRunning();
        // The hook runs before the existence check, so an unauthorised client cannot probe job ids.
        Instant expiresAt = hooks.connecting(topic, opts);
        JobImpl job = find(topic);
        JobImpl attached = job;
        String lastEventId = opts.lastEventId();
        JobImpl.State state = job.state();
        if (lastEventId != null && state.finished() && state.event() != null
                && lastEventId.equals(state.event().getId())) {
            // The client has the terminal event: 204 tells EventSource to stop reconnecting.
            answerNoContent(sink, sse);
            return;
        }
        Admission admission;
        try {
            admission = limits.admitStream(Limits.jobKey(topic), opts);
        } catch (LimitExceeded e) {
            throw Refusals.quietly(sink, sse, e.response(delivery.config().retryAfter()));
        }
        Subscriber s;
        try {
            s = delivery.open(sink, sse, Mailbox.latestWins(), SlowSubscriberPolicy.DROP, delivery.total(), admission,
                    (closed, why) -> {
                        attached.detach(closed);
                        hooks.disconnected(topic, why);
                    });
        } catch (RuntimeException | Error e) {
            admission.release();
            throw e;
        }
        job.attach(s);
        s.arm();
        if (expiresAt != null) {
            admission.expireAt(expiresAt, () -> s.endWith(ControlFrames.expired(), DisconnectReason.EXPIRED));
        }
        if (shutDown || delivery.isStopped()) {
            s.close(DisconnectReason.SHUTDOWN);
        }
    }

    /** The topic's job (on this node or, clustered, mirrored from the cluster). */
    private JobImpl find(String topic) {
        JobImpl job = jobs.get(topic);
        if (job == null && cluster != null) {
            job = clusterCall(() -> cluster.job(topic)).map(this::mirror).orElse(null);
            if (job != null) {
                JobImpl mirror = job;
                clusterCall(() -> cluster.job(topic)).ifPresent(mirror::accept); // after the mirror is fed
            }
        }
        if (job == null) {
            throw new NoSuchTopicException(topic);
        }
        return job;
    }

    /**
     * Joins one key of a multiplexed connection to the topic's job: the outlet {@code open} makes
     * (given the close listener) gets the latest event, the live tail latest-wins, the terminal, then
     * it is closed after draining. The caller ran the hooks. Request thread.
     *
     * @param last the key's last event id on the client, or null
     * @return {@code false} when {@code last} is the job's terminal: the client has seen the end, nothing attached
     * @throws NoSuchTopicException when there is no such job
     * @throws ServiceUnavailableException after shutdown, or when the cluster cannot answer
     */
    public boolean join(String topic, String last, Function<BiConsumer<Outlet, DisconnectReason>, Outlet> open) {
        checkRunning();
        JobImpl job = find(topic);
        JobImpl.State state = job.state();
        if (last != null && state.finished() && state.event() != null && last.equals(state.event().getId())) {
            return false;
        }
        Outlet s = open.apply((closed, why) -> {
            job.detach(closed);
            hooks.disconnected(topic, why);
        });
        job.attach(s);
        s.arm();
        if (shutDown || delivery.isStopped()) {
            s.close(DisconnectReason.SHUTDOWN);
        }
        return true;
    }

    /** A job stream always holds one latest-wins snapshot: settings of a Manager topic do not apply. */
    private static void refuseTopicSettings(SubscribeOptions opts) {
        List<String> set = new ArrayList<>(4);
        if (opts.replay().isPresent()) {
            set.add("replay");
        }
        if (opts.polling() != null) {
            set.add("polling");
        }
        if (opts.queueSize().isPresent()) {
            set.add("queueSize");
        }
        if (opts.slowSubscriberPolicy().isPresent()) {
            set.add("slowSubscriberPolicy");
        }
        if (!set.isEmpty()) {
            throw new IllegalArgumentException("Tracker.subscribe takes only the request (request(...), lastEventId(...)) "
                    + "from SubscribeOptions; " + String.join(", ", set) + " apply to Manager topics only: "
                    + "a job stream always holds one latest-wins snapshot");
        }
    }

    /**
     * Ends the request with 204 No Content by throwing, the one way both containers answer 204.
     * Closing the untouched sink is not: Jersey (Payara) commits 200, and Open Liberty's RESTEasy
     * sets its {@code dev.resteasy.sse.closed.response.code} to 200 too. RESTEasy logs any thrown
     * {@link WebApplicationException} as {@code RESTEASY002010} at ERROR except its own
     * {@code NoLogWebApplicationException}, so on RESTEasy that type is thrown, loaded through the
     * sink's class loader (applications cannot see RESTEasy's classes directly).
     */
    public static void answerNoContent(SseEventSink sink, Sse sse) {
        throw Refusals.quietly(sink, sse, Response.noContent().build());
    }

    @Override
    public Optional<Snapshot> latest(String topic) {
        checkTopic(topic);
        if (cluster != null) {
            JobRecord r = clusterCall(() -> cluster.job(topic)).orElseThrow(() -> new NoSuchTopicException(topic));
            return r.seq() == 0 ? Optional.empty()
                    : Optional.of(new Snapshot(r.id(), r.json() ? formatter.parse(r.data()) : r.data(), r.finished()));
        }
        JobImpl job = jobs.get(topic);
        if (job == null) {
            throw new NoSuchTopicException(topic);
        }
        return Optional.ofNullable(job.snapshot());
    }

    @Override
    public boolean cancel(String topic) {
        checkTopic(topic);
        checkRunning();
        if (cluster != null) {
            // The engine marks the run and tells every node; the owner's mirror (where the work runs) acts on it.
            JobRecord r = clusterCall(() -> cluster.cancelJob(topic)).orElseThrow(() -> new NoSuchTopicException(topic));
            return !r.finished();
        }
        JobImpl job = jobs.get(topic);
        if (job == null) {
            throw new NoSuchTopicException(topic);
        }
        return job.requestCancel(delivery.scheduling().callbacks());
    }

    @Override
    public int subscriberCount(String topic) {
        JobImpl job = topic == null ? null : jobs.get(topic);
        return job == null ? 0 : job.subscriberCount();
    }

    @Override
    public Set<String> topics() {
        return Set.copyOf(jobs.keySet());
    }

    /** Jobs of this node now: {@code [running, retained]} (for {@code LibraryMetrics}; walks the map). */
    public int[] jobCounts() {
        int running = 0;
        int retained = 0;
        for (JobImpl job : jobs.values()) {
            if (job.isFinished()) {
                retained++;
            } else {
                running++;
            }
        }
        return new int[] {running, retained};
    }

    /** Open subscribers per job topic now (jobs without subscribers left out). */
    public java.util.Map<String, Integer> subscriberCounts() {
        java.util.Map<String, Integer> m = new java.util.HashMap<>();
        jobs.forEach((topic, job) -> {
            int n = job.subscriberCount();
            if (n > 0) {
                m.put(topic, n);
            }
        });
        return m;
    }

    @Override
    @PreDestroy
    public void shutdown() {
        shutDown = true;
        List<JobImpl> all = new ArrayList<>(jobs.values());
        for (JobImpl job : all) {
            jobs.remove(job.topic(), job);
            job.drop();
        }
    }

    /** A job reached its terminal: keep it for the retention, then remove it if still the same. */
    private void finished(JobImpl job) {
        Duration retention = delivery.config().trackerRetention();
        if (shutDown || retention.isZero()) {
            jobs.remove(job.topic(), job);
            return;
        }
        try {
            job.retention(delivery.scheduling().executor().schedule(() -> jobs.remove(job.topic(), job),
                    retention.toNanos(), TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException e) {
            jobs.remove(job.topic(), job); // the container is stopping
        }
    }

    /** What the cluster engine delivers, on its delivery thread: only enqueues. */
    private final class ClusterSide implements ClusterBridge.JobSide {

        @Override
        public void jobEvent(JobRecord record) {
            JobImpl job = jobs.get(record.topic());
            if (job != null) {
                job.accept(record); // ignores another run's
            }
        }

        @Override
        public void jobLost(String topic) {
            JobImpl job = jobs.get(topic);
            if (job != null) {
                job.lost(formatter.text(Progress.failed("The cluster lost this job's state")));
            }
        }

        @Override
        public void jobCancelRequested(String topic, String run) {
            JobImpl job = jobs.get(topic);
            if (job != null && job.run().equals(run)) {
                job.requestCancel(delivery.scheduling().callbacks()); // hands the work's callbacks to the executor
            }
        }

        @Override
        public Set<String> jobTopics() {
            return Set.copyOf(jobs.keySet());
        }
    }

    private void checkRunning() {
        if (shutDown) {
            throw new ServiceUnavailableException("SSE progress tracker is shut down");
        }
    }

    static void checkTopic(String topic) {
        Hooks.checkTopic(topic);
    }
}
