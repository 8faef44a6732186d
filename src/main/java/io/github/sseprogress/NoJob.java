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

    @Override
    public String toString() {
        return "Job.none()";
    }
}
