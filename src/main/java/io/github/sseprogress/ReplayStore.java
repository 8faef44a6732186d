package io.github.sseprogress;

import java.util.List;
import java.util.Optional;

/**
 * Where a {@link Manager} topic's recent events are kept for {@code Last-Event-ID} resume. The store
 * assigns each event's id. The default keeps a ring buffer per topic in memory; a durable store
 * (database, Redis) implements this interface as an {@code @Alternative @Priority} CDI bean.
 *
 * <p>Threads: the Manager calls {@link #append} for one topic under that topic's publish lock, so
 * appends of one topic never overlap and arrive in publish order; {@link #since} may run at the same
 * time (under the same lock) and {@link #remove} from the scheduler. Calls for different topics run
 * concurrently. Implementations must be thread-safe.
 */
public interface ReplayStore {

    /** One recorded event: its id (assigned by the store), event name (or null) and data text. */
    record Entry(String id, String name, String data) {
    }

    /**
     * Records an event of {@code topic}, keeping at most {@code capacity} of the newest, and returns
     * it with the id the store assigned. Ids must identify the position in the topic's log.
     */
    Entry append(String topic, int capacity, String name, String data);

    /**
     * The events recorded after {@code lastEventId}, oldest first: an empty list when nothing was
     * missed; {@link Optional#empty()} when the id cannot be served (never issued, too old, malformed,
     * from another epoch), which the Manager tells the client with a {@code missed} event.
     */
    Optional<List<Entry>> since(String topic, String lastEventId);

    /** The id of the newest recorded event, or empty. */
    Optional<String> lastId(String topic);

    /** Forgets a topic's events. */
    void remove(String topic);
}
