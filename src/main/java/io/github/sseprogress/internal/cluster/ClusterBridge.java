package io.github.sseprogress.internal.cluster;

import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.github.sseprogress.Progress;
import io.github.sseprogress.internal.delivery.Delivery;
import io.github.sseprogress.internal.wire.EventFormatter;
import io.github.sseprogress.spi.ClusterEngine;
import io.github.sseprogress.spi.ClusterNode;
import io.github.sseprogress.spi.JobRecord;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * Finds the cluster engine (the first enabled {@link ClusterEngine} bean; none: single node), starts
 * it (with the application through {@link ClusterStarter}, else with the first use of the Manager or the
 * Tracker), and routes what it delivers to the Manager ({@link TopicSide}) and the Tracker ({@link JobSide}).
 * Delivery runs on the engine's thread; the sides only enqueue to subscribers.
 */
@ApplicationScoped
public class ClusterBridge implements ClusterNode {

    private static final Logger LOG = Logger.getLogger(ClusterBridge.class.getName());

    /** The Manager's side of the cluster. */
    public interface TopicSide {
        void topicEvent(String topic, long seq, String id, String name, String data);

        void topicLost(String topic, String reason, String lastId, boolean reset);

        void caughtUp(String topic, Object ticket, CatchUp answer);

        void topicGap(String topic, long seq, String id, String reason);

        boolean follows(String topic);
    }

    /** The Tracker's side of the cluster. */
    public interface JobSide {
        void jobEvent(JobRecord record);

        Set<String> jobTopics();

        void jobLost(String topic);

        void jobCancelRequested(String topic, String run);
    }

    @Inject
    @Any
    Instance<ClusterEngine> engines;

    @Inject
    Delivery delivery;

    private ClusterEngine engine;
    private volatile TopicSide topics;
    private volatile JobSide jobs;
    private final EventFormatter formatter = new EventFormatter();

    @PostConstruct
    void init() {
        for (ClusterEngine e : engines) {
            if (e.enabled()) {
                engine = e;
                break;
            }
        }
        if (engine != null) {
            engine.start(this);
            LOG.log(Level.INFO, "sse-progress runs clustered as node {0} ({1})",
                    new Object[] {engine.nodeName(), engine.getClass().getName()});
        }
    }

    @PreDestroy
    void close() {
        if (engine != null) {
            try {
                engine.stop();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "stopping the cluster engine failed", e);
            }
        }
    }

    /** The engine, or null when the library is single-node. */
    public ClusterEngine engine() {
        return engine;
    }

    public void topics(TopicSide side) {
        topics = side;
    }

    public void jobs(JobSide side) {
        jobs = side;
    }

    @Override
    public void topicEvent(String topic, long seq, String id, String name, String data) {
        TopicSide t = topics;
        if (t != null) {
            t.topicEvent(topic, seq, id, name, data);
        }
    }

    @Override
    public void topicLost(String topic, String reason, String lastId, boolean reset) {
        TopicSide t = topics;
        if (t != null) {
            t.topicLost(topic, reason, lastId, reset);
        }
    }

    @Override
    public void topicGap(String topic, long seq, String id, String reason) {
        TopicSide t = topics;
        if (t != null) {
            t.topicGap(topic, seq, id, reason);
        }
    }

    @Override
    public void caughtUp(String topic, Object ticket, CatchUp answer) {
        TopicSide t = topics;
        if (t != null) {
            t.caughtUp(topic, ticket, answer);
        }
    }

    @Override
    public void jobEvent(JobRecord record) {
        JobSide j = jobs;
        if (j != null) {
            j.jobEvent(record);
        }
    }

    @Override
    public boolean follows(String topic) {
        TopicSide t = topics;
        return t != null && t.follows(topic);
    }

    @Override
    public Set<String> jobTopics() {
        JobSide j = jobs;
        return j == null ? Set.of() : j.jobTopics();
    }

    @Override
    public String failedPayload(String message) {
        return formatter.text(Progress.failed(message));
    }

    @Override
    public ThreadFactory threads() {
        return delivery.scheduling().threads();
    }

    @Override
    public void jobLost(String topic) {
        JobSide j = jobs;
        if (j != null) {
            j.jobLost(topic);
        }
    }

    @Override
    public void jobCancelRequested(String topic, String run) {
        JobSide j = jobs;
        if (j != null) {
            j.jobCancelRequested(topic, run);
        }
    }

    @Override
    public java.time.Duration jobRetention() {
        return delivery.config().trackerRetention();
    }
}
