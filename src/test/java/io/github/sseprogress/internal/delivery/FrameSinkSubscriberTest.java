package io.github.sseprogress.internal.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.Test;

import io.github.sseprogress.DisconnectReason;
import io.github.sseprogress.SlowSubscriberPolicy;
import io.github.sseprogress.internal.wire.PreparedEvent;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * A subscriber writing to one of the library's own transports ({@link FrameSink}): it says when more
 * frames are queued (so a run goes out with one flush), flushes what was kept back when the run ends,
 * aborts a pending write when it closes (no thread would ever return from it), and counts as a pinned
 * writer only while its writer is still inside the transport's {@code send}.
 */
class FrameSinkSubscriberTest {

    /** Runs writer tasks only when the test says so. */
    static final class ManualExecutor implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        void runAll() {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
            }
        }
    }

    static final class RecordingSink implements SseEventSink, FrameSink {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile CompletableFuture<Void> pending;
        volatile boolean holdNext;
        volatile boolean aborted;
        volatile boolean closed;
        /** When set, send blocks inside the call until released (Open Liberty's non-blocking write on full buffers). */
        volatile CountDownLatch blockIn;
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        public void open(Sse sse) {
        }

        @Override
        public CompletionStage<?> send(PreparedEvent frame, boolean more) {
            calls.add((frame.getId() == null ? "-" : frame.getId()) + (more ? "+more" : ""));
            CountDownLatch block = blockIn;
            if (block != null) {
                entered.countDown();
                try {
                    block.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (holdNext) {
                pending = new CompletableFuture<>();
                return pending;
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void abort() {
            aborted = true;
            CompletableFuture<Void> p = pending;
            if (p != null) {
                p.completeExceptionally(new IllegalStateException("aborted"));
            }
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            throw new AssertionError("the subscriber must use send(frame, more)");
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final ManualExecutor writer = new ManualExecutor();
    private final RecordingSink sink = new RecordingSink();
    private final List<DisconnectReason> closedWith = new ArrayList<>();
    private final Subscriber subscriber = new Subscriber(sink, null, Mailbox.bounded(16), SlowSubscriberPolicy.DROP,
            writer, Runnable::run, new Counters(null), PreparedEvent.comment(""), () -> { }, (s, why) -> closedWith.add(why));

    private static PreparedEvent event(int i) {
        return PreparedEvent.frame(i, Integer.toString(i), null, "e" + i, false);
    }

    @Test
    void aRunOfQueuedFramesIsMarkedMoreUntilTheLast() {
        subscriber.offer(event(1));
        subscriber.offer(event(2));
        subscriber.offer(event(3));
        writer.runAll();
        assertThat(sink.calls).containsExactly("1+more", "2+more", "3");
        subscriber.offer(event(4));
        writer.runAll();
        assertThat(sink.calls).containsExactly("1+more", "2+more", "3", "4");
    }

    @Test
    void aRunEndingWithoutAFrameIsFlushedByAnEmptyFrame() {
        subscriber.offer(event(1));
        subscriber.offer(event(2));
        // the queue empties between the "more" hint and the next poll (here: cleared by the test, as a
        // skipped loss marker would): the writer must still make the sink flush what it kept back
        sink.holdNext = true;
        writer.runAll(); // event 1 sent with "more", stage pending
        assertThat(sink.calls).containsExactly("1+more");
        sink.holdNext = false;
        // drop event 2 from the queue behind the writer's back
        assertThat(subscriberMailboxPoll()).isNotNull();
        sink.pending.complete(null);
        writer.runAll();
        assertThat(sink.calls).containsExactly("1+more", "-");
    }

    @Test
    void closingAbortsAPendingWriteSoTheWriterClosesTheSink() {
        sink.holdNext = true;
        subscriber.offer(event(1));
        writer.runAll();
        assertThat(subscriber.sendInFlightSince()).isNotZero();
        assertThat(subscriber.pinsWriter()).isFalse();
        subscriber.arm();
        subscriber.evict();
        assertThat(sink.aborted).isTrue();
        assertThat(subscriber.sendInFlightSince()).isZero();
        writer.runAll();
        assertThat(sink.closed).isTrue();
        assertThat(closedWith).containsExactly(DisconnectReason.EVICTED);
    }

    @Test
    void aWriterBlockedInsideTheTransportsSendCountsAsPinnedAndAPendingWriteDoesNot() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        sink.blockIn = release;
        sink.holdNext = true;
        subscriber.offer(event(1));
        Thread w = new Thread(writer::runAll, "writer");
        w.start();
        assertThat(sink.entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(subscriber.pinsWriter()).as("inside send: the thread is held (Liberty)").isTrue();
        release.countDown();
        w.join(10_000);
        assertThat(w.isAlive()).isFalse();
        assertThat(subscriber.sendInFlightSince()).as("the write is still pending").isNotZero();
        assertThat(subscriber.pinsWriter()).as("a pending write holds no thread (Payara)").isFalse();
    }

    private PreparedEvent subscriberMailboxPoll() {
        try {
            java.lang.reflect.Field f = Subscriber.class.getDeclaredField("mailbox");
            f.setAccessible(true);
            return ((Mailbox) f.get(subscriber)).poll();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
