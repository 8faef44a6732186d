package io.github.sseprogress.bench.tools;

/**
 * Log-linear histogram of non-negative microsecond values, 64 sub-buckets per power of two
 * (relative error below 1.6 %), like a tiny HdrHistogram. Not thread-safe: one owner thread.
 */
final class Histogram {

    private static final int SUB = 64;
    private final long[] counts = new long[SUB + 40 * SUB];
    private long total;
    private long max;

    void record(long micros) {
        long v = Math.max(0, micros);
        counts[index(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    void add(Histogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The value at percentile {@code p} (0..100), in microseconds; 0 when empty. */
    long percentile(double p) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p / 100.0 * total);
        if (rank < 1) {
            rank = 1;
        }
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, mid(i));
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v); // >= 6
        int sub = (int) ((v >>> (exp - 6)) & (SUB - 1));
        return SUB + (exp - 6) * SUB + sub;
    }

    static long mid(int i) {
        if (i < SUB) {
            return i;
        }
        int exp = (i - SUB) / SUB + 6;
        int sub = (i - SUB) % SUB;
        long low = ((long) SUB + sub) << (exp - 6);
        long width = 1L << (exp - 6);
        return low + width / 2;
    }
}
