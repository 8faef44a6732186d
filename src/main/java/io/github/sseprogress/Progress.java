package io.github.sseprogress;

import java.util.Locale;
import java.util.Objects;

import io.github.sseprogress.internal.ProgressStatusJson;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.json.bind.annotation.JsonbTransient;
import jakarta.json.bind.annotation.JsonbTypeAdapter;

/**
 * The standard progress snapshot, for those who want one (a {@link Job} accepts any payload). Sent
 * as {@code {"status":"processing","progress":40,"step":"Scanning","message":"…","data":…}};
 * {@code null} fields are left out. Immutable; validated when built.
 *
 * <p>A job adds to each running snapshot it sends what it derives: {@code "rate"} (smoothed percent
 * per second) and {@code "eta"} (estimated seconds remaining), both absent while unknown, and
 * {@code "cancelRequested":true} once a cancel was asked for. An {@link #indeterminate} snapshot is
 * sent without {@code progress}, rate or eta, with {@code "indeterminate":true}.
 *
 * <pre>{@code
 * job.publish(Progress.processing(40, "Scanning").withMessage("12 of 30 hosts"));
 * job.finish(Progress.completed(result));          // or Progress.failed("Host unreachable")
 * }</pre>
 *
 * <p>{@code message} and {@code data} are sent to browsers as they are: do not put stack traces or
 * internal details in them.
 *
 * @param status where the job is; never {@code null}
 * @param progress percent done, 0 to 100; {@code -1} for an {@link #indeterminate} snapshot
 * @param step the current step's name, or {@code null}
 * @param message a human-readable message, or {@code null}
 * @param data a result or any extra payload, or {@code null}
 */
@JsonbPropertyOrder({"status", "progress", "step", "message", "data"})
public record Progress(Status status, int progress, String step, String message, Object data) {

    /**
     * @throws NullPointerException when {@code status} is null
     * @throws IllegalArgumentException when {@code progress} is outside 0..100 (or -1 with
     *         {@code PROCESSING}: indeterminate)
     */
    public Progress {
        Objects.requireNonNull(status, "status");
        if ((progress < 0 || progress > 100) && !(progress == -1 && status == Status.PROCESSING)) {
            throw new IllegalArgumentException("progress must be between 0 and 100: " + progress);
        }
    }

    /**
     * Work in progress whose share done is unknown (waiting in a queue, counting what to do): sent
     * with {@code "indeterminate":true} and without {@code progress}, rate or eta. {@code progress()}
     * is {@code -1}.
     */
    public static Progress indeterminate(String step) {
        return new Progress(Status.PROCESSING, -1, step, null, null);
    }

    /** Work in progress: {@code progress} percent done, in step {@code step} (may be null). */
    public static Progress processing(int progress, String step) {
        if (progress < 0 || progress > 100) {
            throw new IllegalArgumentException("progress must be between 0 and 100: " + progress);
        }
        return new Progress(Status.PROCESSING, progress, step, null, null);
    }

    /** {@code done} of {@code total} units done, as a percentage rounded down. */
    public static Progress processing(long done, long total, String step) {
        if (total <= 0 || done < 0 || done > total) {
            throw new IllegalArgumentException("need 0 <= done <= total and total > 0: " + done + " of " + total);
        }
        return processing((int) (done * 100 / total), step);
    }

    /** Successful end, 100 percent, no result. */
    public static Progress completed() {
        return completed(null);
    }

    /** Successful end, 100 percent, with the result in {@code data}. */
    public static Progress completed(Object result) {
        return new Progress(Status.COMPLETED, 100, null, null, result);
    }

    /** Failed end with a message for the user; progress 0. */
    public static Progress failed(String message) {
        return new Progress(Status.FAILED, 0, null, message, null);
    }

    /** Cancelled end (the work stopped on {@link Job#isCancelRequested()}), no message; progress 0. */
    public static Progress cancelled() {
        return cancelled(null);
    }

    /** Cancelled end with a message for the user (or null); progress 0. */
    public static Progress cancelled(String message) {
        return new Progress(Status.CANCELLED, 0, null, message, null);
    }

    /** The same snapshot with another message. */
    public Progress withMessage(String newMessage) {
        return new Progress(status, progress, step, newMessage, data);
    }

    /** The same snapshot with other data. */
    public Progress withData(Object newData) {
        return new Progress(status, progress, step, message, newData);
    }

    /** Whether this is a terminal status ({@code completed}, {@code failed} or {@code cancelled}). Not sent. */
    @JsonbTransient
    public boolean isTerminal() {
        return status != Status.PROCESSING;
    }

    /** Whether the share done is unknown ({@link #indeterminate}). Not sent as such. */
    @JsonbTransient
    public boolean isIndeterminate() {
        return progress == -1;
    }

    /** The job's state; sent in lower case. */
    @JsonbTypeAdapter(ProgressStatusJson.class)
    public enum Status {
        PROCESSING, COMPLETED, FAILED,
        /** The work stopped because a cancel was requested ({@link Tracker#cancel}). */
        CANCELLED;

        /** The form sent on the wire: {@code processing}, {@code completed}, {@code failed}, {@code cancelled}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
