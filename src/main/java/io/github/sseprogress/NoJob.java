package io.github.sseprogress;

import java.time.Duration;

/** The job of code that runs outside any tracked job: every call is a no-op. */
final class NoJob implements Job {

    static final NoJob INSTANCE = new NoJob();

    private NoJob() {
    }

    @Override
    public String topic() {
        return "";
    }

    @Override
    public void publish(Object snapshot) {
        // nobody is watching
    }

    @Override
    public boolean finish(Object terminal) {
        return false;
    }

    @Override
    public boolean isFinished() {
        return false;
    }

    @Override
    public boolean awaitSubscriber(Duration timeout) {
        return false;
    }

    /** The step of a job that does not track: checks the weight, does nothing. */
    static Step step(double weight) {
        if (!(weight > 0 && weight <= 100)) {
            throw new IllegalArgumentException("a step's weight is a percentage of its parent, in (0, 100]: " + weight);
        }
        return NoStep.INSTANCE;
    }

    /** The step of the no-op job: every call is a no-op. */
    private enum NoStep implements Step {
        INSTANCE;

        @Override
        public Step step(String name, double weight) {
            return this;
        }

        @Override
        public void progress(double percent) {
            // nobody is watching
        }

        @Override
        public void close() {
            // nothing to end
        }
    }

    @Override
    public String toString() {
        return "Job.none()";
    }
}
