package org.dpnas.common.run;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Chooses "nice" axis tick values (1, 2, 2.5 or 5 times a power of ten) and formats them. */
final class AxisTicks {

    /** Largest number of ticks a linear axis gets; the step choice guarantees at least four. */
    static final int MAX_TICKS = 6;

    private static final double[] MANTISSAS = {1, 2, 2.5, 5};

    private AxisTicks() {}

    /**
     * Returns 4 to 6 evenly spaced nice ticks whose first value is at or below {@code lo} and whose
     * last is at or above {@code hi}; a degenerate or non-finite range is widened first.
     */
    static double[] linear(double lo, double hi) {
        double[] range = widen(lo, hi);
        lo = range[0];
        hi = range[1];
        double span = hi - lo;
        int exp = (int) Math.floor(Math.log10(span)) - 2;
        while (true) {
            for (double m : MANTISSAS) {
                long first = (long) Math.floor(lo / step(m, exp) + 1e-9);
                long last = (long) Math.ceil(hi / step(m, exp) - 1e-9);
                if (last - first + 1 <= MAX_TICKS) {
                    double[] ticks = new double[(int) (last - first + 1)];
                    for (int i = 0; i < ticks.length; i++) {
                        ticks[i] = value(first + i, m, exp);
                    }
                    return ticks;
                }
            }
            exp++;
        }
    }

    /**
     * Returns the step between consecutive ticks of {@link #linear}, or 0 for fewer than two ticks.
     */
    static double stepOf(double[] ticks) {
        return ticks.length < 2 ? 0 : ticks[1] - ticks[0];
    }

    /**
     * Returns powers of ten covering {@code [lo, hi]} (both must be positive), thinned to at most
     * {@link #MAX_TICKS} values.
     */
    static double[] log(double lo, double hi) {
        if (!(lo > 0) || !Double.isFinite(lo) || !Double.isFinite(hi) || hi < lo) {
            lo = 1;
            hi = 10;
        }
        int a = (int) Math.floor(Math.log10(lo) + 1e-9);
        int b = (int) Math.ceil(Math.log10(hi) - 1e-9);
        if (b <= a) {
            b = a + 1;
        }
        int stride = (int) Math.ceil((b - a + 1) / (double) MAX_TICKS);
        List<Double> out = new ArrayList<>();
        for (int e = a; ; e += stride) {
            out.add(Math.pow(10, e));
            if (e >= b) {
                break;
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Formats a tick with just enough decimals for the axis step (scientific when extreme). */
    static String label(double v, double step) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e6 || a < 1e-4 || (step > 0 && step < 1e-4)) {
            return String.format(Locale.ROOT, "%.3g", v);
        }
        int decimals = 0;
        if (step > 0) {
            decimals = Math.max(0, -(int) Math.floor(Math.log10(step) + 1e-9));
            double scaled = step * Math.pow(10, decimals);
            if (Math.abs(scaled - Math.rint(scaled)) > 1e-6) {
                decimals++; // 2.5 x 10^k needs one more digit
            }
        }
        return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
    }

    /** Formats a log-axis tick (a power of ten). */
    static String logLabel(double v) {
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "1e%d", Math.round(Math.log10(a)));
    }

    private static double[] widen(double lo, double hi) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            return new double[] {0, 1};
        }
        if (hi < lo) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        if (hi - lo <= Math.abs(hi) * 1e-12 || hi == lo) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            return new double[] {lo - pad, hi + pad};
        }
        return new double[] {lo, hi};
    }

    private static double step(double m, int exp) {
        return exp >= 0 ? m * Math.pow(10, exp) : m / Math.pow(10, -exp);
    }

    /** Computes {@code i * m * 10^exp} dividing by an exact power of ten to avoid 0.6000000001. */
    private static double value(long i, double m, int exp) {
        double num = i * m;
        return exp >= 0 ? num * Math.pow(10, exp) : num / Math.pow(10, -exp);
    }
}
