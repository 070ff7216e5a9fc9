package org.dpnas.common.train;

/**
 * A learning-rate schedule over a fixed number of steps, with an optional linear warm-up. Step
 * {@code t} counts from 0; the rate used by update {@code t} is {@link #at(long)}.
 */
@FunctionalInterface
public interface LrSchedule {

    /** The learning rate for step {@code t}. */
    float at(long t);

    /** A constant rate. */
    static LrSchedule constant(float base) {
        return t -> base;
    }

    /**
     * The DeepLab "poly" rate {@code base·(1 − t/T)^power}, floored at {@code min}; strictly
     * positive for every {@code t < T}.
     */
    static LrSchedule poly(float base, long total, float power, float min) {
        return t -> {
            double frac = Math.min((double) t / total, 1.0);
            return (float) Math.max(min, base * Math.pow(1.0 - frac, power));
        };
    }

    /**
     * Cosine annealing (Loshchilov and Hutter, https://arxiv.org/abs/1608.03983) from {@code base}
     * to {@code min} over {@code total} steps: {@code min + (base−min)·(1 + cos(π·t/T))/2}, the
     * PyTorch {@code CosineAnnealingLR} value at step t.
     */
    static LrSchedule cosine(float base, long total, float min) {
        return t -> {
            double frac = Math.min((double) t / total, 1.0);
            return (float) (min + (base - min) * 0.5 * (1.0 + Math.cos(Math.PI * frac)));
        };
    }

    /**
     * Linear warm-up from {@code base/warmup}·1 to the wrapped schedule over the first {@code
     * warmup} steps ({@code lr_t = inner(t)·(t+1)/warmup}).
     */
    default LrSchedule withWarmup(long warmup) {
        if (warmup <= 0) {
            return this;
        }
        return t -> t < warmup ? at(t) * (t + 1) / (float) warmup : at(t);
    }

    /**
     * Builds a schedule by name.
     *
     * @param name {@code constant}, {@code poly} or {@code cosine}
     * @param base the initial rate
     * @param total the number of steps
     * @param power the poly exponent (ignored otherwise)
     * @param min the final/floor rate
     * @return the schedule
     */
    static LrSchedule create(String name, float base, long total, float power, float min) {
        if (!(base > 0f)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + base);
        }
        switch (name) {
            case "constant":
                return constant(base);
            case "poly":
                return poly(base, total, power, min);
            case "cosine":
                return cosine(base, total, min);
            default:
                throw new IllegalArgumentException(
                        "unknown schedule '" + name + "': expected constant, poly or cosine");
        }
    }
}
