package io.github.sseprogress.internal.stream;

import static io.github.sseprogress.internal.delivery.LossSinks.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.internal.delivery.Counters;
import io.github.sseprogress.internal.delivery.LossSinks;
import io.github.sseprogress.internal.delivery.LossSinks.ManualExecutor;
import io.github.sseprogress.internal.delivery.LossSinks.RecordingSink;
import io.github.sseprogress.testing.LossPlacement;

/**
 * The loss signal of one key of a multiplexed connection ({@link Member}, {@code DROP}) under
 * concurrent offers: every event a thread offered to the key and the client did not get is counted by
 * a {@code missed} frame of the key after that thread's previous delivered event and before its next
 * one. Before the fix a thread that dropped while another thread's fresh loss marker was not queued
 * yet joined that marker's count, and its next event could be queued (and written) before the marker.
 */
class MemberLossSignalTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Holds the first loss marker on its way into the connection's queue until released. */
    static final class GatedQueue extends StreamMailbox {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);

        GatedQueue(int perKey, Connection connection) {
            super(perKey, connection);
        }

        @Override
        void mark(Member member, Object item) {
            if (item instanceof Member.Loss && first.compareAndSet(true, false)) {
                entered.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            super.mark(member, item);
        }
    }

    /**
     * A deterministic interleaving: thread 0 drops and is about to queue the key's loss marker; thread
     * 1 drops too, the writer then makes room, and thread 1 offers its next event. That event must not
     * be written before the {@code missed} frame that counts thread 1's drop.
     */
    @Test
    void aConcurrentDroppersNextEventNeverOvertakesTheMarkerThatCountsItsDrop() throws Exception {
        GatedQueue[] queue = {null};
        Connection c = new Connection(null, false, null, null, SlowSubscriberPolicy.DROP, 2, new Counters(null),
                Runnable::run, null, (perKey, connection) -> queue[0] = new GatedQueue(perKey, connection));
        Member m = c.declare(List.of("k"), null).get(0);
        ManualExecutor writer = new ManualExecutor();
        RecordingSink sink = new RecordingSink();
        c.writer(LossSinks.subscriber(sink, c.mailbox(), writer));
        m.offer(event(2, 0));
        m.offer(event(2, 1)); // the key's queue (2) is full
        Thread a = new Thread(() -> m.offer(event(0, 0)), "publisher-0");
        a.start();
        assertThat(queue[0].entered.await(10, TimeUnit.SECONDS)).as("thread 0 queues the marker").isTrue();
        CountDownLatch roomMade = new CountDownLatch(1);
        AtomicBoolean firstOfferReturned = new AtomicBoolean();
        Thread b = new Thread(() -> {
            m.offer(event(1, 0)); // dropped
            firstOfferReturned.set(true);
            try {
                roomMade.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            m.offer(event(1, 1));
        }, "publisher-1");
        b.start();
        // thread 1 either returned from its drop (before the fix) or waits for thread 0's marker
        await().atMost(WAIT).until(() -> firstOfferReturned.get() || waitsForLossLock(b));
        writer.runAll(); // the writer takes 2:0 and 2:1: room for two events
        roomMade.countDown();
        await().atMost(WAIT).until(() -> b.getState() == Thread.State.TERMINATED || waitsForLossLock(b));
        queue[0].release.countDown();
        a.join(10_000);
        b.join(10_000);
        assertThat(a.isAlive() || b.isAlive()).isFalse();
        writer.runAll();
        assertThat(LossPlacement.problems(sink.frames, new int[] {1, 2, 2})).isEmpty();
        assertThat(sink.frames).containsExactly("2:0", "2:1", "missed:2", "1:1");
    }

    /**
     * 200 rounds of 8 threads offering 100 events each at once to one key (queue 4): the one writer
     * cannot keep up, so gaps alternate with deliveries; every round must obey the loss rule.
     */
    @Test
    void concurrentOffersToAKeyNeverLeaveAQuietGap() throws Exception {
        LossSinks.concurrentRounds(200, 8, 100, 2000, (sink, writers) -> {
            Connection c = new Connection(null, false, null, null, SlowSubscriberPolicy.DROP, 4,
                    new Counters(null), Runnable::run, null);
            Member m = c.declare(List.of("k"), null).get(0);
            c.writer(LossSinks.subscriber(sink, c.mailbox(), writers));
            return m;
        });
    }

    /** Whether {@code t} waits to enter the loss lock (in {@code Member.overflow}). */
    private static boolean waitsForLossLock(Thread t) {
        return LossPlacement.blockedIn(t, Member.class, "overflow");
    }
}
