package io.github.sseprogress.internal.delivery;

import static io.github.sseprogress.internal.delivery.LossSinks.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.internal.delivery.LossSinks.ManualExecutor;
import io.github.sseprogress.internal.delivery.LossSinks.RecordingSink;
import io.github.sseprogress.internal.wire.PreparedEvent;
import io.github.sseprogress.testing.LossPlacement;

/**
 * The loss signal of one stream ({@link Subscriber}, {@code DROP}): every event a publisher offered
 * and the client did not get is counted by a {@code missed} frame after that publisher's previous
 * delivered event and before its next one, also when several threads offer at once (a subscriber
 * registered with a JAX-RS broadcaster is a sink anyone may {@code send} to). Before the fix one
 * marker took every drop until the writer reached it, so a drop after an event queued behind the
 * marker was reported before that event, and a concurrent dropper's next event could overtake the
 * marker that counted its drop.
 */
class SubscriberLossSignalTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aDropAfterAnEventQueuedBehindTheMarkerGetsItsOwnSignalAfterThatEvent() {
        ManualExecutor writer = new ManualExecutor();
        RecordingSink sink = new RecordingSink();
        sink.pending = true; // each write completes when the test says so: the writer moves one frame at a time
        Subscriber s = LossSinks.subscriber(sink, Mailbox.bounded(3), writer);
        s.offer(event(0, 0));
        writer.runAll(); // 0:0 in the writer
        for (int i = 1; i <= 5; i++) {
            s.offer(event(0, i)); // 1..3 queued; 4, 5 dropped (first gap, its marker queued)
        }
        for (int i = 0; i < 3; i++) {
            sink.completeOne();
            writer.runAll(); // the writer takes 1, 2, 3: only the marker waits
        }
        for (int i = 6; i <= 8; i++) {
            s.offer(event(0, i)); // 6, 7 queued behind the marker; 8 dropped (second gap, after 7)
        }
        while (sink.completeOne()) {
            writer.runAll();
        }
        assertThat(sink.frames).containsExactly("0:0", "0:1", "0:2", "0:3", "missed:2", "0:6", "0:7", "missed:1");
        assertThat(LossPlacement.problems(sink.frames, new int[] {9})).isEmpty();
    }

    /** Holds the first marker on its way into the queue until released. */
    static final class GatedMailbox implements Mailbox {
        final Mailbox delegate = Mailbox.bounded(2);
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);

        @Override
        public boolean offer(PreparedEvent event) {
            return delegate.offer(event);
        }

        @Override
        public void offerBeyondBound(PreparedEvent event) {
            if (first.compareAndSet(true, false)) {
                entered.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            delegate.offerBeyondBound(event);
        }

        @Override
        public PreparedEvent poll() {
            return delegate.poll();
        }

        @Override
        public boolean isEmpty() {
            return delegate.isEmpty();
        }

        @Override
        public int clear() {
            return delegate.clear();
        }
    }

    /**
     * A deterministic interleaving: publisher 0 drops and is about to queue the marker; publisher 1
     * drops too, the writer then makes room, and publisher 1 offers its next event. That event must not
     * be written before the signal that counts publisher 1's drop.
     */
    @Test
    void aConcurrentDroppersNextEventNeverOvertakesTheMarkerThatCountsItsDrop() throws Exception {
        ManualExecutor writer = new ManualExecutor();
        RecordingSink sink = new RecordingSink();
        GatedMailbox mailbox = new GatedMailbox();
        Subscriber s = LossSinks.subscriber(sink, mailbox, writer);
        s.offer(event(2, 0));
        s.offer(event(2, 1)); // the queue (2) is full
        Thread a = new Thread(() -> s.offer(event(0, 0)), "publisher-0");
        a.start();
        assertThat(mailbox.entered.await(10, TimeUnit.SECONDS)).as("publisher 0 queues the marker").isTrue();
        CountDownLatch roomMade = new CountDownLatch(1);
        AtomicBoolean firstOfferReturned = new AtomicBoolean();
        Thread c = new Thread(() -> {
            s.offer(event(1, 0)); // dropped
            firstOfferReturned.set(true);
            try {
                roomMade.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            s.offer(event(1, 1));
        }, "publisher-1");
        c.start();
        // publisher 1 either returned from its drop (before the fix) or waits for publisher 0's marker
        await().atMost(WAIT).until(() -> firstOfferReturned.get() || waitsForLossLock(c));
        writer.runAll(); // the writer takes 2:0 and 2:1: room for two events
        roomMade.countDown();
        await().atMost(WAIT).until(() -> c.getState() == Thread.State.TERMINATED || waitsForLossLock(c));
        mailbox.release.countDown();
        a.join(10_000);
        c.join(10_000);
        assertThat(a.isAlive() || c.isAlive()).isFalse();
        writer.runAll();
        assertThat(LossPlacement.problems(sink.frames, new int[] {1, 2, 2})).isEmpty();
        assertThat(sink.frames).containsExactly("2:0", "2:1", "missed:2", "1:1");
    }

    /**
     * 200 rounds of 8 threads offering 100 events each at once to a queue of 4: one writer cannot keep
     * up with eight publishers, so the queue overflows and refills all the time and gaps alternate with
     * deliveries; each round's frames must obey the loss rule for every thread.
     */
    @Test
    void concurrentOffersNeverLeaveAQuietGap() throws Exception {
        LossSinks.concurrentRounds(200, 8, 100, 2000,
                (sink, writers) -> LossSinks.subscriber(sink, Mailbox.bounded(4), writers));
    }

    /** Whether {@code t} waits to enter the loss lock (in {@code Subscriber.lose}). */
    private static boolean waitsForLossLock(Thread t) {
        return LossPlacement.blockedIn(t, Subscriber.class, "lose");
    }
}
