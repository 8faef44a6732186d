package io.github.sseprogress.internal.progress;

import java.util.ArrayList;
import java.util.List;

import io.github.sseprogress.Job;

/**
 * A job's weighted sub-steps, rolled up into one percentage (the model of Apple's {@code Progress}
 * tree and Eclipse's {@code SubMonitor}). Each step is 100 % of its own work; a child created with
 * weight {@code w} is {@code w} % of its parent. A step's completion is
 * {@code min(100, own + Σ closed children's weights + Σ open children's weight × their completion)},
 * where {@code own} is what {@link Job.Step#progress} set (only ever raised): every term only grows,
 * so the rolled-up bar never goes back, and a child closed early fills its whole share. The current
 * step's name is the newest open step's, searched from the job down (a step without a name shows its
 * parent's).
 *
 * <p>Threads: steps may be used from any thread. One lock per job guards the tree; under it the code
 * computes the roll-up and hands the snapshot to the {@link Sink} (which only enqueues: no
 * application code runs under the lock). A snapshot is sent when the whole percentage or the step
 * name changed.
 */
final class StepTree {

    /** Where a changed roll-up goes: the exact percentage and the current step's name. */
    interface Sink {
        void progress(double percent, String step);
    }

    private final Sink sink;
    private final Node root;
    private int sentPercent = -1;
    private String sentStep;
    private boolean sentAny;

    StepTree(Sink sink) {
        this.sink = sink;
        this.root = new Node(null, null, 100, false);
    }

    /** A new child of the job (the tree's root). */
    Job.Step step(String name, double weight) {
        return root.step(name, weight);
    }

    /** The rolled-up percentage now (0..100). */
    double percent() {
        synchronized (this) {
            return root.completion();
        }
    }

    /** The current step's name now, or null. */
    String current() {
        synchronized (this) {
            return root.current();
        }
    }

    /** Under the lock: sends the roll-up when its whole percentage or the step name changed. */
    private void changed() {
        double pct = root.completion();
        String step = root.current();
        int whole = ProgressMeter.whole(pct);
        if (sentAny && whole == sentPercent && java.util.Objects.equals(step, sentStep)) {
            return;
        }
        sentAny = true;
        sentPercent = whole;
        sentStep = step;
        sink.progress(pct, step);
    }

    static void checkWeight(double weight) {
        if (!(weight > 0 && weight <= 100)) {
            throw new IllegalArgumentException("a step's weight is a percentage of its parent, in (0, 100]: " + weight);
        }
    }

    final class Node implements Job.Step {

        private final Node parent;
        private final String name;
        private final double weight;
        private double own;
        private double closedShare;
        private final List<Node> open = new ArrayList<>(2);
        private boolean closed;

        Node(Node parent, String name, double weight, boolean closed) {
            this.parent = parent;
            this.name = name;
            this.weight = weight;
            this.closed = closed;
        }

        @Override
        public Job.Step step(String childName, double childWeight) {
            checkWeight(childWeight);
            synchronized (StepTree.this) {
                if (closed) {
                    return new Node(null, childName, childWeight, true); // a no-op: this step is done
                }
                Node child = new Node(this, childName, childWeight, false);
                open.add(child);
                changed();
                return child;
            }
        }

        @Override
        public void progress(double percent) {
            if (Double.isNaN(percent)) {
                throw new IllegalArgumentException("percent is NaN");
            }
            synchronized (StepTree.this) {
                double p = Math.max(0, Math.min(100, percent));
                if (closed || p <= own) {
                    return;
                }
                own = p;
                changed();
            }
        }

        @Override
        public void close() {
            synchronized (StepTree.this) {
                if (closed) {
                    return;
                }
                closeTree();
                if (parent != null) {
                    parent.open.remove(this);
                    parent.closedShare += weight;
                }
                changed();
            }
        }

        private void closeTree() {
            closed = true;
            for (Node c : open) {
                c.closeTree();
            }
            open.clear();
        }

        /** This step's completion in percent of itself. */
        double completion() {
            if (closed) {
                return 100;
            }
            double sum = own + closedShare;
            for (Node c : open) {
                sum += c.weight * c.completion() / 100;
            }
            return Math.min(100, sum);
        }

        String current() {
            if (!open.isEmpty()) {
                String n = open.get(open.size() - 1).current();
                if (n != null) {
                    return n;
                }
            }
            return name;
        }

        @Override
        public String toString() {
            return "Step[" + name + ", weight=" + weight + "]";
        }
    }
}
