package org.dpnas.common.search.strategies;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Optional;
import java.util.function.Function;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.SearchStrategy;
import org.dpnas.common.search.Trial;

/**
 * The IRLAS topology-imitation term (Guo et al., "IRLAS: Inverse Reinforcement Learning for
 * Architecture Search", CVPR 2019, §3.2–3.3) added to the reward another strategy learns from: the
 * strategy sees {@code score + λ · m(G)}, where the mirror stimulus {@code m(G) = w · (μ(G) − μ_E)}
 * compares the child's feature count {@code μ(G)} ({@link FeatureCount}) with the expert's {@code
 * μ_E}. The direction {@code w} is the one of apprenticeship learning's projection method (Abbeel
 * and Ng, ICML 2004, §3.1), which IRLAS uses to find its linear mirror stimuli function: {@code w =
 * (μ_E − μ̄) / ‖μ_E − μ̄‖}, with {@code μ̄} the projection of the expert's feature count onto the
 * feature counts the search has produced so far (onto the segment towards each new count, so {@code
 * μ̄} stays a mixture of them), updated after every child. So {@code m ≤ 0}, and {@code m = 0} for
 * a child whose feature count equals the expert's.
 *
 * <p>{@link #best} is by the unshaped score (the task metric the history records). The state holds
 * the inner strategy's state, {@code μ̄} and the last term.
 *
 * @param <G> the genotype type
 */
public final class ImitationReward<G extends Genotype>
        implements SearchStrategy<G>, ParentAware<G> {

    private final SearchStrategy<G> inner;
    private final Function<G, double[]> features;
    private final double[] expert;
    private final double weight;
    private double[] projection;
    private double lastTerm = Double.NaN;
    private Trial<G> best;

    /**
     * Creates the shaped strategy.
     *
     * @param inner the strategy that learns from the shaped reward (an RL controller)
     * @param features the feature count μ
     * @param expert the expert genotype, of the same space
     * @param weight λ ≥ 0
     */
    public ImitationReward(
            SearchStrategy<G> inner, Function<G, double[]> features, G expert, double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(
                    "search.irlas.weight must be finite and >= 0, got " + weight);
        }
        this.inner = inner;
        this.features = features;
        this.expert = features.apply(expert);
        this.weight = weight;
    }

    /** The inner strategy. */
    public SearchStrategy<G> inner() {
        return inner;
    }

    /** The mirror stimulus of the last observed child (NaN before the first). */
    public double lastTerm() {
        return lastTerm;
    }

    /**
     * The mirror stimulus of a genotype against the current projection (the child itself stands for
     * the projection before the first child).
     */
    public double term(G genotype) {
        double[] mu = features.apply(genotype);
        check(mu);
        double[] ref = projection == null ? mu : projection;
        double norm = 0;
        for (int i = 0; i < mu.length; i++) {
            norm += (expert[i] - ref[i]) * (expert[i] - ref[i]);
        }
        norm = Math.sqrt(norm);
        if (norm == 0) {
            return 0; // the search's feature counts already reach the expert's
        }
        double m = 0;
        for (int i = 0; i < mu.length; i++) {
            m += (expert[i] - ref[i]) / norm * (mu[i] - expert[i]);
        }
        return m;
    }

    private void check(double[] mu) {
        if (mu.length != expert.length) {
            throw new IllegalArgumentException(
                    "a child has "
                            + mu.length
                            + " topology features, the expert "
                            + expert.length
                            + " (the expert is not of this space)");
        }
    }

    /** Moves μ̄ toward the expert along the new feature count (Abbeel and Ng's projection). */
    private void project(double[] mu) {
        if (projection == null) {
            projection = mu.clone();
            return;
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < mu.length; i++) {
            double d = mu[i] - projection[i];
            num += d * (expert[i] - projection[i]);
            den += d * d;
        }
        if (den == 0) {
            return;
        }
        double step = Math.max(0, Math.min(1, num / den));
        for (int i = 0; i < mu.length; i++) {
            projection[i] += step * (mu[i] - projection[i]);
        }
    }

    @Override
    public G propose() {
        return inner.propose();
    }

    /** The inner strategy's parent of a child, if it names parents. */
    @Override
    @SuppressWarnings("unchecked")
    public Optional<String> parentDir(G child) {
        return inner instanceof ParentAware<?> p
                ? ((ParentAware<G>) p).parentDir(child)
                : Optional.empty();
    }

    @Override
    public void observe(Trial<G> trial) {
        if (best == null || trial.score() > best.score()) {
            best = trial;
        }
        double m = term(trial.genotype());
        lastTerm = m;
        project(features.apply(trial.genotype()));
        inner.observe(
                new Trial<>(
                        trial.id(),
                        trial.genotype(),
                        trial.dir(),
                        trial.metrics(),
                        trial.score() + weight * m));
    }

    @Override
    public Optional<Trial<G>> best() {
        return Optional.ofNullable(best);
    }

    @Override
    public JsonObject state() {
        JsonObject o = new JsonObject();
        o.addProperty("strategy", "irlas");
        o.addProperty("weight", weight);
        if (!Double.isNaN(lastTerm)) {
            o.addProperty("last_term", lastTerm);
        }
        if (projection != null) {
            JsonArray a = new JsonArray();
            for (double v : projection) {
                a.add(v);
            }
            o.add("projection", a);
        }
        o.add("inner", inner.state());
        return o;
    }

    @Override
    public void restore(JsonObject state) {
        if (!state.has("strategy") || !"irlas".equals(state.get("strategy").getAsString())) {
            throw new IllegalArgumentException("search state field 'strategy' is not 'irlas'");
        }
        if (!state.has("inner") || !state.get("inner").isJsonObject()) {
            throw new IllegalArgumentException("search state lacks the field 'inner'");
        }
        if (state.has("projection")) {
            JsonArray a = state.getAsJsonArray("projection");
            if (a.size() != expert.length) {
                throw new IllegalArgumentException(
                        "search state field 'projection' has "
                                + a.size()
                                + " features, expected "
                                + expert.length);
            }
            projection = new double[a.size()];
            for (int i = 0; i < a.size(); i++) {
                projection[i] = a.get(i).getAsDouble();
            }
        } else {
            projection = null;
        }
        lastTerm = state.has("last_term") ? state.get("last_term").getAsDouble() : Double.NaN;
        inner.restore(state.getAsJsonObject("inner"));
    }
}
