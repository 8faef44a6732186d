package io.github.sseprogress.internal.progress;

/**
 * The smoothed rate (percent per second) and remaining time of a job's percentage, derived as tqdm
 * does: exponential moving averages of the work done per sample ({@code dn}) and of the time a sample
 * took ({@code dt}), smoothing factor {@link #SMOOTHING}, each corrected for its start-up bias
 * ({@code ema / (1 - (1 - a)^n)}); the rate is their ratio and the remaining time the work left
 * divided by it.
 *
 * <ul>
 *   <li><b>Bursts</b>: updates closer than the minimum interval to the last sample (or at the same
 *       instant) are merged into the next sample, so a burst of publishes counts as one step of its
 *       whole work over the whole time since the last sample.</li>
 *   <li><b>Pauses</b>: an update without more work takes no sample; the time goes into the next one.
 *       When the current step has already taken longer than the average step, the estimate reads as
 *       if that step ended now with an average step's work (a provisional sample, not kept): the rate
 *       falls and the remaining time grows the longer the work stalls, continuously from the steady
 *       value.</li>
 *   <li>A percentage lower than the last one (the work went back) restarts the estimate.</li>
 * </ul>
 *
 * Immutable and pure: time is passed in (nanoseconds, as from {@link System#nanoTime()}), so a job
 * keeps its estimate in an {@code AtomicReference} and tests drive it with a fake clock.
 */
public final class RateEstimate {

    /** tqdm's default smoothing factor is 0.3. */
    public static final double SMOOTHING = 0.3;
    /** tqdm's default {@code mininterval}: samples closer than this are merged. */
    public static final long MIN_INTERVAL_NANOS = 100_000_000L;

    private final double alpha;
    private final long minIntervalNanos;
    /** Whether a reference point exists (after the first update). */
    private final boolean started;
    /** The percentage and time of the last sample (or the first update). */
    private final double refPct;
    private final long refNanos;
    /** The latest percentage seen (at or above {@code refPct}). */
    private final double lastPct;
    private final int samples;
    /** Raw (biased) moving averages: percent per sample, seconds per sample. */
    private final double emaDn;
    private final double emaDt;

    private RateEstimate(double alpha, long minIntervalNanos, boolean started, double refPct, long refNanos,
            double lastPct, int samples, double emaDn, double emaDt) {
        this.alpha = alpha;
        this.minIntervalNanos = minIntervalNanos;
        this.started = started;
        this.refPct = refPct;
        this.refNanos = refNanos;
        this.lastPct = lastPct;
        this.samples = samples;
        this.emaDn = emaDn;
        this.emaDt = emaDt;
    }

    /** An empty estimate with tqdm's defaults. */
    public static RateEstimate initial() {
        return initial(SMOOTHING, MIN_INTERVAL_NANOS);
    }

    /**
     * An empty estimate.
     *
     * @param alpha the smoothing factor, in (0, 1]: the weight of the newest sample
     * @param minIntervalNanos samples closer than this are merged (0: every update with more work
     *        and a later time is a sample)
     */
    public static RateEstimate initial(double alpha, long minIntervalNanos) {
        if (!(alpha > 0 && alpha <= 1) || minIntervalNanos < 0) {
            throw new IllegalArgumentException("need 0 < alpha <= 1 and minInterval >= 0");
        }
        return new RateEstimate(alpha, minIntervalNanos, false, 0, 0, 0, 0, 0, 0);
    }

    /** The estimate after the work reached {@code percent} (0..100) at {@code nanos}. */
    public RateEstimate update(double percent, long nanos) {
        double pct = Math.max(0, Math.min(100, percent));
        if (!started || pct < lastPct) {
            return new RateEstimate(alpha, minIntervalNanos, true, pct, nanos, pct, 0, 0, 0);
        }
        long dtNanos = nanos - refNanos;
        if (pct <= refPct || dtNanos <= 0 || dtNanos < minIntervalNanos) {
            // no more work, or merged into the next sample: the reference stays, the time accumulates
            return pct == lastPct ? this
                    : new RateEstimate(alpha, minIntervalNanos, true, refPct, refNanos, pct, samples, emaDn, emaDt);
        }
        double dn = pct - refPct;
        double dt = dtNanos / 1e9;
        return new RateEstimate(alpha, minIntervalNanos, true, pct, nanos, pct, samples + 1,
                alpha * dn + (1 - alpha) * emaDn, alpha * dt + (1 - alpha) * emaDt);
    }

    /** The number of samples taken so far (updates with more work, at least the minimum interval apart). */
    public int samples() {
        return samples;
    }

    /** The latest percentage seen. */
    public double percent() {
        return lastPct;
    }

    /** The smoothed rate in percent per second at {@code nanos}; {@code null} before the first sample. */
    public Double rate(long nanos) {
        if (samples == 0) {
            return null;
        }
        double dn = emaDn;
        double dt = emaDt;
        int n = samples;
        double pendingDt = (nanos - refNanos) / 1e9;
        double meanDn = dn / correction(n);
        double meanDt = dt / correction(n);
        if (pendingDt > meanDt) {
            // the current step is overdue: read as if it ended now with (at least) an average step's work
            double pendingDn = Math.max(meanDn, lastPct - refPct);
            dn = alpha * pendingDn + (1 - alpha) * dn;
            dt = alpha * pendingDt + (1 - alpha) * dt;
            n++;
        }
        return (dn / correction(n)) / (dt / correction(n));
    }

    /** The estimated remaining time in seconds at {@code nanos}; {@code null} while the rate is unknown. */
    public Double eta(long nanos) {
        Double rate = rate(nanos);
        if (rate == null || !(rate > 0)) {
            return null;
        }
        return (100 - lastPct) / rate;
    }

    /** tqdm's start-up bias correction: {@code 1 - (1 - a)^n}. */
    private double correction(int n) {
        return 1 - Math.pow(1 - alpha, n);
    }

    @Override
    public String toString() {
        return "RateEstimate[samples=" + samples + ", percent=" + lastPct + "]";
    }
}
