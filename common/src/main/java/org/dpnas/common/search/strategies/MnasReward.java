package org.dpnas.common.search.strategies;

/**
 * The multi-objective reward of MnasNet (Tan et al., "MnasNet: Platform-Aware Neural Architecture
 * Search for Mobile", CVPR 2019, §3, Eq. 2): {@code reward = metric × (LAT / T)^w} with {@code w =
 * α} when {@code LAT ≤ T} and {@code w = β} otherwise. The paper's soft constraint is {@code α = β
 * = −0.07}; its hard constraint is {@code α = 0, β = −1} (no reward for being faster than the
 * target, a reward divided by the overshoot above it).
 *
 * @param targetMs the target latency T in milliseconds, > 0
 * @param alpha the exponent at or below the target
 * @param beta the exponent above the target
 */
public record MnasReward(double targetMs, double alpha, double beta) {

    /** The paper's soft-constraint exponent (§3: −0.07 on both sides). */
    public static final double SOFT = -0.07;

    /** Validates. */
    public MnasReward {
        if (!(targetMs > 0) || Double.isInfinite(targetMs)) {
            throw new IllegalArgumentException(
                    "search.mnas.target_ms must be a finite latency > 0, got " + targetMs);
        }
        if (!Double.isFinite(alpha) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException(
                    "search.mnas.alpha and search.mnas.beta must be finite, got "
                            + alpha
                            + ", "
                            + beta);
        }
    }

    /** The soft constraint at a target: {@code α = β = −0.07}. */
    public static MnasReward soft(double targetMs) {
        return new MnasReward(targetMs, SOFT, SOFT);
    }

    /** The hard constraint at a target: {@code α = 0, β = −1}. */
    public static MnasReward hard(double targetMs) {
        return new MnasReward(targetMs, 0, -1);
    }

    /**
     * A named constraint.
     *
     * @param constraint {@code soft}, {@code hard} or {@code custom} (then {@code alpha} and {@code
     *     beta} apply)
     * @throws IllegalArgumentException naming {@code search.mnas.constraint} otherwise
     */
    public static MnasReward of(String constraint, double targetMs, double alpha, double beta) {
        return switch (constraint) {
            case "soft" -> soft(targetMs);
            case "hard" -> hard(targetMs);
            case "custom" -> new MnasReward(targetMs, alpha, beta);
            default ->
                    throw new IllegalArgumentException(
                            "search.mnas.constraint '"
                                    + constraint
                                    + "': expected soft, hard or custom");
        };
    }

    /**
     * The reward of a child.
     *
     * @param metric the child's task metric (e.g. validation mIoU), larger is better
     * @param latencyMs its measured latency, > 0
     * @return {@code metric × (latencyMs / targetMs)^w}
     */
    public double reward(double metric, double latencyMs) {
        if (!(latencyMs > 0) || Double.isInfinite(latencyMs)) {
            throw new IllegalArgumentException(
                    "a child's latency must be finite and > 0, got " + latencyMs);
        }
        double w = latencyMs <= targetMs ? alpha : beta;
        return metric * Math.pow(latencyMs / targetMs, w);
    }
}
