package org.dpnas.common.search;

import com.google.gson.JsonObject;
import java.util.Optional;
import java.util.Random;

/**
 * Random search (Li and Talwalkar, "Random Search and Reproducibility for NAS", UAI 2019): every
 * child is drawn uniformly from the space with {@link SearchSpace#sample}; the best is the highest
 * score. It runs on any space and is the baseline every other strategy must beat.
 *
 * <p>The state is the seed and the number of proposals: restoring re-draws that many samples, so
 * the sequence continues exactly where it stopped.
 *
 * @param <G> the genotype type
 */
public final class RandomSearch<G extends Genotype> implements SearchStrategy<G> {

    private final SearchSpace<G> space;
    private long seed;
    private Random random;
    private int proposed;
    private Trial<G> best;

    /**
     * Creates the strategy.
     *
     * @param space the space to sample
     * @param seed the seed of the samples
     */
    public RandomSearch(SearchSpace<G> space, long seed) {
        this.space = space;
        this.seed = seed;
        this.random = new Random(seed);
    }

    @Override
    public G propose() {
        proposed++;
        return space.sample(random);
    }

    @Override
    public void observe(Trial<G> trial) {
        if (best == null || trial.score() > best.score()) {
            best = trial;
        }
    }

    @Override
    public Optional<Trial<G>> best() {
        return Optional.ofNullable(best);
    }

    @Override
    public JsonObject state() {
        JsonObject o = new JsonObject();
        o.addProperty("strategy", "random");
        o.addProperty("seed", seed);
        o.addProperty("proposed", proposed);
        return o;
    }

    @Override
    public void restore(JsonObject state) {
        if (!state.has("strategy") || !"random".equals(state.get("strategy").getAsString())) {
            throw new IllegalArgumentException("search state field 'strategy' is not 'random'");
        }
        if (!state.has("seed") || !state.has("proposed")) {
            throw new IllegalArgumentException("search state lacks the field 'seed' or 'proposed'");
        }
        int n = state.get("proposed").getAsInt();
        if (n < 0) {
            throw new IllegalArgumentException("search state field 'proposed' is negative: " + n);
        }
        seed = state.get("seed").getAsLong();
        random = new Random(seed);
        proposed = 0;
        for (int i = 0; i < n; i++) {
            propose();
        }
    }
}
