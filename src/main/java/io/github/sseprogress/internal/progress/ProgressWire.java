package io.github.sseprogress.internal.progress;

import io.github.sseprogress.Progress;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * What a {@link Progress} snapshot of a job is sent as: its own fields (in its order, so a snapshot
 * without extras is sent exactly as {@code Progress} serialises), then what the library derives. Null
 * fields are left out. Public only because JSON-B reads it; not API.
 *
 * @param progress percent done, absent while indeterminate
 * @param indeterminate {@code true} when the work reports no percentage, else absent
 * @param rate smoothed percent per second, absent while unknown
 * @param eta estimated seconds remaining, absent while unknown
 * @param cancelRequested {@code true} once someone asked the job to cancel, else absent
 */
@JsonbPropertyOrder({"status", "progress", "step", "message", "data", "indeterminate", "rate", "eta", "cancelRequested"})
public record ProgressWire(Progress.Status status, Integer progress, String step, String message, Object data,
        Boolean indeterminate, Double rate, Double eta, Boolean cancelRequested) {
}
