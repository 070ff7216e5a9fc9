package org.dpnas.fastdensenas;

import com.google.gson.JsonObject;
import org.dpnas.common.search.rl.SplitMix64;

/**
 * The FastDenseNAS early-stopping rule after stage 1 (Nekrasov et al., CVPR 2019, §3.3, as the
 * reference code implements it): a running average {@code m ← 0.99·m + 0.01·r} of stage-1 rewards
 * (starting at 0.01) is updated with each new reward {@code r}; a child continues when {@code r >
 * m}, or otherwise when {@code r > m·(1 − u)} with {@code u} uniform in [0, δ). The margin δ starts
 * at 0.9 and is multiplied by 0.9, 0.8, 0.7 and 0.6 after 100, 200, 300 and 400 decisions, so the
 * rule tightens as the search goes on. (The reference counts a passing decision twice toward that
 * schedule; here every decision counts once.)
 */
public final class EarlyStop {

    private double average;
    private double delta;
    private long steps;
    private final SplitMix64 rng;

    /** Creates the rule with the reference's start values and a seeded margin stream. */
    public EarlyStop(long seed) {
        this(0.01, 0.9, seed);
    }

    /** Creates the rule with explicit start values. */
    public EarlyStop(double initialAverage, double initialDelta, long seed) {
        if (!(initialDelta >= 0 && initialDelta <= 1)) {
            throw new IllegalArgumentException(
                    "early-stop margin must be in [0, 1], got " + initialDelta);
        }
        this.average = initialAverage;
        this.delta = initialDelta;
        this.rng = new SplitMix64(seed);
    }

    /** Whether a child whose stage-1 reward is {@code reward} goes on to stage 2. */
    public boolean proceed(double reward) {
        delta *= scheduleFactor(steps);
        steps++;
        average = 0.99 * average + 0.01 * reward;
        if (reward > average) {
            return true;
        }
        double margin = rng.nextDouble() * delta;
        return reward > average * (1 - margin);
    }

    private static double scheduleFactor(long step) {
        if (step == 100) {
            return 0.9;
        } else if (step == 200) {
            return 0.8;
        } else if (step == 300) {
            return 0.7;
        } else if (step == 400) {
            return 0.6;
        }
        return 1.0;
    }

    /** The running average of stage-1 rewards. */
    public double average() {
        return average;
    }

    /** The current margin bound δ. */
    public double delta() {
        return delta;
    }

    /** The state as JSON (for the search checkpoint). */
    public JsonObject state() {
        JsonObject o = new JsonObject();
        o.addProperty("average", average);
        o.addProperty("delta", delta);
        o.addProperty("steps", steps);
        o.addProperty("rng", rng.state());
        return o;
    }

    /**
     * Restores {@link #state}.
     *
     * @throws IllegalArgumentException naming a missing field
     */
    public void restore(JsonObject o) {
        for (String f : new String[] {"average", "delta", "steps", "rng"}) {
            if (!o.has(f)) {
                throw new IllegalArgumentException("early-stop state lacks the field '" + f + "'");
            }
        }
        average = o.get("average").getAsDouble();
        delta = o.get("delta").getAsDouble();
        steps = o.get("steps").getAsLong();
        rng.setState(o.get("rng").getAsLong());
    }
}
