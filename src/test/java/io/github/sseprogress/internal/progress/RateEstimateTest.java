package io.github.sseprogress.internal.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 2: the smoothed rate and remaining time, driven by a fake clock (seconds turned into
 * nanoseconds). Expected values come from the closed form of a bias-corrected moving average,
 * {@code Σ a(1-a)^(n-i) x_i / (1-(1-a)^n)}, computed here over the samples each scenario implies,
 * not from the estimator's recursion.
 */
class RateEstimateTest {

    private static final double A = 0.3;
    private static final Offset<Double> EXACT = within(1e-9);

    private static long at(double seconds) {
        return Math.round(seconds * 1e9);
    }

    /** The closed-form bias-corrected EMA of the samples, oldest first. */
    private static double ema(double... xs) {
        int n = xs.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += A * Math.pow(1 - A, n - 1 - i) * xs[i];
        }
        return sum / (1 - Math.pow(1 - A, n));
    }

    @Test
    void nothingIsKnownBeforeTheSecondPercentage() {
        RateEstimate e = RateEstimate.initial();
        assertThat(e.rate(at(5))).isNull();
        e = e.update(10, at(0));
        assertThat(e.rate(at(1))).isNull();
        assertThat(e.eta(at(1))).isNull();
        assertThat(e.samples()).isZero();
    }

    @Test
    void steadyWorkGivesItsRateAndTheExactRemainingTime() {
        RateEstimate e = RateEstimate.initial().update(0, at(0));
        for (int k = 1; k <= 5; k++) {
            e = e.update(10 * k, at(2 * k)); // 10 % every 2 s: 5 %/s
            assertThat(e.rate(at(2 * k))).isCloseTo(5.0, EXACT);
            assertThat(e.eta(at(2 * k))).isCloseTo((100 - 10 * k) / 5.0, EXACT);
        }
        assertThat(e.samples()).isEqualTo(5);
        e = e.update(100, at(20));
        assertThat(e.eta(at(20))).isCloseTo(0.0, EXACT);
    }

    @Test
    void acceleratingWorkWeighsTheRecentFasterStepsMost() {
        double[] times = {4, 6, 7, 7.5}; // 10 % each, in 4, 2, 1 and 0.5 s
        RateEstimate e = RateEstimate.initial().update(0, at(0));
        for (int k = 0; k < times.length; k++) {
            e = e.update(10 * (k + 1), at(times[k]));
        }
        double expected = ema(10, 10, 10, 10) / ema(4, 2, 1, 0.5);
        assertThat(e.rate(at(7.5))).isCloseTo(expected, EXACT);
        assertThat(e.eta(at(7.5))).isCloseTo(60 / expected, EXACT);
        assertThat(expected).as("above the overall mean 40 %% / 7.5 s: recent steps count most").isGreaterThan(40 / 7.5);
        assertThat(expected).as("below the newest step's 20 %%/s: smoothed").isLessThan(20);
    }

    @Test
    void aStallLowersTheRateAndRaisesTheRemainingTimeTheLongerItLasts() {
        RateEstimate e = RateEstimate.initial().update(0, at(0));
        for (int k = 1; k <= 3; k++) {
            e = e.update(10 * k, at(k)); // 10 %/s up to 30 % at 3 s
        }
        // within an average step of the last progress: steady
        assertThat(e.rate(at(3.5))).isCloseTo(10.0, EXACT);
        // the same percentage again (a message while stalled) takes no sample
        e = e.update(30, at(8));
        assertThat(e.samples()).isEqualTo(3);
        // 5 s without progress: read as if the step ended now with an average step's work (10 %)
        double at8 = ema(10, 10, 10, 10) / ema(1, 1, 1, 5);
        assertThat(e.rate(at(8))).isCloseTo(at8, EXACT);
        assertThat(e.eta(at(8))).isCloseTo(70 / at8, EXACT);
        double at13 = ema(10, 10, 10, 10) / ema(1, 1, 1, 10);
        assertThat(e.rate(at(13))).isCloseTo(at13, EXACT);
        assertThat(e.eta(at(13))).isGreaterThan(e.eta(at(8)));
        // continuous at the threshold: a step exactly as long as the average reads as steady
        assertThat(e.rate(at(4))).isCloseTo(10.0, EXACT);
        // work resumes: the stall is one long real sample (10 % in 11 s)
        e = e.update(40, at(14));
        double resumed = ema(10, 10, 10, 10) / ema(1, 1, 1, 11);
        assertThat(e.rate(at(14))).isCloseTo(resumed, EXACT);
        assertThat(e.eta(at(14))).isCloseTo(60 / resumed, EXACT);
    }

    @Test
    void burstsAreMergedIntoOneSampleOverTheWholeTimeSinceTheLast() {
        // 20 % every 2 s, each burst published as four 5 % updates 10 ms apart (true rate: 10 %/s)
        RateEstimate e = RateEstimate.initial().update(0, at(0));
        RateEstimate unmerged = RateEstimate.initial(A, 0).update(0, at(0));
        for (int burst = 1; burst <= 3; burst++) {
            for (int i = 0; i < 4; i++) {
                double pct = 20 * (burst - 1) + 5 * (i + 1);
                long t = at(2 * burst + 0.010 * i);
                e = e.update(pct, t);
                unmerged = unmerged.update(pct, t);
            }
        }
        // merged: one sample per burst, at its first update: 5 % in 2 s, then 20 % (the rest of the
        // previous burst and this one's first 5 %) in 2 s, twice
        assertThat(e.samples()).isEqualTo(3);
        double merged = ema(5, 20, 20) / ema(2, 2, 2);
        assertThat(e.rate(at(6.03))).isCloseTo(merged, EXACT);
        assertThat(e.eta(at(6.03))).isCloseTo(40 / merged, EXACT);
        // without merging every 10 ms step is a sample, and the rate is far off the true 10 %/s
        double[] dn = new double[12];
        double[] dt = new double[12];
        for (int i = 0; i < 12; i++) {
            dn[i] = 5;
            dt[i] = i % 4 == 0 ? (i == 0 ? 2 : 1.97) : 0.01;
        }
        double raw = ema(dn) / ema(dt);
        assertThat(unmerged.rate(at(6.03))).isCloseTo(raw, within(1e-6));
        assertThat(Math.abs(merged - 10)).as("merged is nearer the true 10 %%/s than unmerged").isLessThan(Math.abs(raw - 10));
        assertThat(raw).isGreaterThan(1.8 * 10);
    }

    @Test
    void goingBackRestartsTheEstimate() {
        RateEstimate e = RateEstimate.initial().update(0, at(0)).update(50, at(1));
        assertThat(e.rate(at(1))).isCloseTo(50.0, EXACT);
        e = e.update(10, at(2));
        assertThat(e.samples()).isZero();
        assertThat(e.rate(at(2))).isNull();
        e = e.update(20, at(4));
        assertThat(e.rate(at(4))).isCloseTo(5.0, EXACT);
    }
}
