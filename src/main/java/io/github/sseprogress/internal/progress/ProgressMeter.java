package io.github.sseprogress.internal.progress;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.ObjDoubleConsumer;

import io.github.sseprogress.Job;
import io.github.sseprogress.Progress;

/**
 * What a job adds to the snapshots its work publishes (issue 13), kept apart from {@link JobImpl}'s
 * state machine: the smoothed rate and remaining time of a {@link Progress} percentage
 * ({@link RateEstimate}, swapped by compare-and-set), the cancellation request ({@link CancelSignal}),
 * and the weighted sub-steps ({@link StepTree}, created on first use). Lock-free except the step
 * tree's own lock.
 */
final class ProgressMeter {

    private static final MathContext FOUR_DIGITS = new MathContext(4);

    private final LongSupplier clock;
    private final ObjDoubleConsumer<Progress> publisher;
    private final AtomicReference<RateEstimate> estimate = new AtomicReference<>(RateEstimate.initial());
    private final AtomicReference<StepTree> steps = new AtomicReference<>();
    /** The last running {@code Progress} published through this handle and its exact percentage (re-sent on cancel). */
    private volatile Last last;

    /** A running snapshot as published: the exact percentage behind a step roll-up's whole one, else NaN. */
    record Last(Progress progress, double exact) {
    }
    final CancelSignal cancel = new CancelSignal();

    /**
     * @param clock nanoseconds ({@link System#nanoTime()} in production)
     * @param publisher publishes a snapshot with its exact percentage (steps roll up to fractions)
     */
    ProgressMeter(LongSupplier clock, ObjDoubleConsumer<Progress> publisher) {
        this.clock = clock;
        this.publisher = publisher;
    }

    /**
     * The payload to send for {@code snapshot}: a running {@link Progress} becomes its
     * {@link ProgressWire} with rate, remaining time and the cancel flag; anything else is sent as is.
     *
     * @param exact the exact percentage behind the snapshot's whole one, or NaN to use the snapshot's
     */
    Object wire(Object snapshot, double exact) {
        if (!(snapshot instanceof Progress) || ((Progress) snapshot).isTerminal()) {
            return snapshot;
        }
        Progress p = (Progress) snapshot;
        last = new Last(p, exact);
        Double rate = null;
        Double eta = null;
        if (!p.isIndeterminate()) {
            long now = clock.getAsLong();
            double pct = Double.isNaN(exact) ? p.progress() : exact;
            RateEstimate e = estimate.updateAndGet(cur -> cur.update(pct, now));
            rate = round(e.rate(now));
            eta = round(e.eta(now));
        }
        return new ProgressWire(p.status(), p.isIndeterminate() ? null : p.progress(), p.step(), p.message(), p.data(),
                p.isIndeterminate() ? Boolean.TRUE : null, rate, eta, cancel.isRequested() ? Boolean.TRUE : null);
    }

    /** The last running {@code Progress} published through this handle, or null. */
    Progress last() {
        Last l = last;
        return l == null ? null : l.progress();
    }

    /** Publishes the last running snapshot again (now with the cancel flag), with its exact percentage. */
    void republish() {
        Last l = last;
        if (l != null) {
            publisher.accept(l.progress(), l.exact());
        }
    }

    /** A new weighted child of the job. */
    Job.Step step(String name, double weight) {
        StepTree.checkWeight(weight);
        StepTree tree = steps.get();
        if (tree == null) {
            StepTree created = new StepTree((pct, step) -> publisher.accept(Progress.processing(whole(pct), step), pct));
            tree = steps.compareAndExchange(null, created);
            if (tree == null) {
                tree = created;
            }
        }
        return tree.step(name, weight);
    }

    /** The whole percentage of an exact one (rounding error of weights that add up to 100 forgiven). */
    static int whole(double pct) {
        return (int) Math.max(0, Math.min(100, Math.floor(pct + 1e-9)));
    }

    /** Four significant digits: what a person reads, and short on the wire. */
    static Double round(Double v) {
        if (v == null || v.isNaN() || v.isInfinite()) {
            return null;
        }
        return new BigDecimal(v).round(FOUR_DIGITS).doubleValue();
    }
}
