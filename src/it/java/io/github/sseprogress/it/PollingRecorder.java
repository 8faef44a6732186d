package io.github.sseprogress.it;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.naming.InitialContext;

import io.github.sseprogress.Polling;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * IT-only: builds a {@link Polling} per subscribe call and records, per topic, what the library did
 * with them: how many polls ran, which Polling instances were ever polled (the topic's first
 * subscriber's only), how often polling stopped, and on what kind of thread the source ran.
 */
@ApplicationScoped
public class PollingRecorder {

    /** What happened on one topic. */
    static final class Record {
        final AtomicInteger instances = new AtomicInteger();
        final AtomicInteger polls = new AtomicInteger();
        final AtomicInteger stops = new AtomicInteger();
        final Set<Integer> polledInstances = ConcurrentHashMap.newKeySet();
        volatile String thread = "";
        volatile String managedLookup = "";
        volatile boolean appClassLoader;
    }

    private final Map<String, Record> records = new ConcurrentHashMap<>();

    Record record(String topic) {
        return records.computeIfAbsent(topic, t -> new Record());
    }

    /**
     * A fresh Polling for {@code topic}, every {@code every} (null: the configured default); its
     * payload changes on every poll, so each poll is sent.
     */
    Polling polling(String topic, Duration every) {
        Record r = record(topic);
        int instance = r.instances.incrementAndGet();
        Polling polling = Polling.of(cancel -> {
            r.polledInstances.add(instance);
            int n = r.polls.incrementAndGet();
            r.thread = Thread.currentThread().getName();
            r.managedLookup = managedLookup();
            r.appClassLoader = appClassLoader();
            return Map.of("n", n, "instance", instance);
        });
        // null: no every(), the configured sse.polling.interval applies
        return (every == null ? polling : polling.every(every)).onStop(() -> r.stops.incrementAndGet());
    }

    /**
     * A {@code java:comp} lookup only works on a thread that carries the application's component
     * context, i.e. a container-managed thread; a plain thread fails.
     */
    private static String managedLookup() {
        try {
            Object o = new InitialContext().lookup("java:comp/DefaultManagedScheduledExecutorService");
            return o == null ? "null" : "ok";
        } catch (Exception | LinkageError e) {
            return "failed: " + e;
        }
    }

    private static boolean appClassLoader() {
        ClassLoader tccl = Thread.currentThread().getContextClassLoader();
        try {
            return tccl != null && tccl.loadClass(ItApplication.class.getName()) == ItApplication.class;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
