package io.github.sseprogress.internal.topic;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.github.sseprogress.ReplayStore;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The default {@link ReplayStore}: one ring buffer per topic in this JVM's memory. Ids are
 * {@code <epoch>-<sequence>}: the epoch is random per ring, so an id from before a restart, or from a
 * ring that expired and was created anew, is recognised as foreign instead of being mistaken for a
 * position in the new ring. Each ring is guarded by its own monitor (uncontended in practice: the
 * Manager already serialises one topic's calls).
 */
@ApplicationScoped
public class InMemoryReplayStore implements ReplayStore {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_ID_LENGTH = 64;

    private final ConcurrentHashMap<String, Ring> rings = new ConcurrentHashMap<>();

    @Override
    public Entry append(String topic, int capacity, String name, String data) {
        Ring ring = rings.computeIfAbsent(topic, t -> new Ring(capacity));
        synchronized (ring) {
            long seq = ++ring.last;
            Entry e = new Entry(ring.epoch + "-" + seq, name, data);
            if (ring.entries.size() == ring.capacity) {
                ring.entries.removeFirst();
            }
            ring.entries.addLast(e);
            return e;
        }
    }

    @Override
    public Optional<List<Entry>> since(String topic, String lastEventId) {
        Ring ring = rings.get(topic);
        if (ring == null || lastEventId == null || lastEventId.length() > MAX_ID_LENGTH) {
            return Optional.empty();
        }
        int dash = lastEventId.lastIndexOf('-');
        if (dash <= 0 || !lastEventId.substring(0, dash).equals(ring.epoch)) {
            return Optional.empty();
        }
        long seq;
        try {
            seq = Long.parseLong(lastEventId.substring(dash + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        synchronized (ring) {
            long first = ring.last - ring.entries.size() + 1;
            if (seq > ring.last || seq < first - 1 || seq < 0) {
                return Optional.empty(); // never issued, or events after it were already overwritten
            }
            List<Entry> out = new ArrayList<>((int) (ring.last - seq));
            long pos = first;
            for (Entry e : ring.entries) {
                if (pos > seq) {
                    out.add(e);
                }
                pos++;
            }
            return Optional.of(out);
        }
    }

    @Override
    public Optional<String> lastId(String topic) {
        Ring ring = rings.get(topic);
        if (ring == null) {
            return Optional.empty();
        }
        synchronized (ring) {
            return ring.entries.isEmpty() ? Optional.empty() : Optional.of(ring.entries.getLast().id());
        }
    }

    @Override
    public void remove(String topic) {
        rings.remove(topic);
    }

    private static final class Ring {
        final String epoch = Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
        final int capacity;
        final ArrayDeque<Entry> entries;
        long last;

        Ring(int capacity) {
            this.capacity = Math.max(1, capacity);
            this.entries = new ArrayDeque<>(Math.min(this.capacity, 64));
        }
    }
}
