package org.dpnas.common.search.strategies;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.Genotype;

/**
 * An {@link Evaluator} that turns another evaluator's score into the MnasNet reward ({@link
 * MnasReward}, Tan et al., CVPR 2019, Eq. 2): it evaluates the child, measures its latency with a
 * {@link LatencyProbe}, and returns {@code metric × (LAT / T)^w} as the score. The metrics keep the
 * task score as {@code metric} and the latency as {@code latency_ms}, so the history shows both
 * factors. Wrapping the evaluator (not a strategy) applies the reward to every multi-trial method.
 *
 * @param <G> the genotype type
 */
public final class MnasEvaluator<G extends Genotype> implements Evaluator<G> {

    private final Evaluator<G> inner;
    private final LatencyProbe<G> probe;
    private final MnasReward reward;

    /**
     * Creates the wrapper.
     *
     * @param inner trains and scores the child (its score is the metric)
     * @param probe measures the child's latency
     * @param reward the target and exponents
     */
    public MnasEvaluator(Evaluator<G> inner, LatencyProbe<G> probe, MnasReward reward) {
        this.inner = inner;
        this.probe = probe;
        this.reward = reward;
    }

    @Override
    public Result evaluate(G genotype, Path runDir) throws Exception {
        Result r = inner.evaluate(genotype, runDir);
        double lat = probe.latencyMs(genotype, runDir);
        double score = reward.reward(r.score(), lat);
        Map<String, Double> m = new LinkedHashMap<>(r.metrics());
        m.put("metric", r.score());
        m.put("latency_ms", lat);
        m.put("target_ms", reward.targetMs());
        m.put("reward", score);
        return new Result(m, score);
    }
}
