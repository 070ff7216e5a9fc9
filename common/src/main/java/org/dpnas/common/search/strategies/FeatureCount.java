package org.dpnas.common.search.strategies;

import java.util.List;
import java.util.function.Function;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.rl.Decision;
import org.dpnas.common.search.rl.DecisionSpace;

/**
 * The feature count of an architecture for IRLAS (Guo et al., "IRLAS: Inverse Reinforcement
 * Learning for Architecture Search", CVPR 2019, §3.2): {@code μ(G) = Σ_t γ^t φ(s_t)} over the
 * states of the sequence that builds it. For a {@link DecisionSpace} the state after decision
 * {@code t} is described by {@code φ(s_t)} = the one-hot code of (decision {@code t}, its choice),
 * so {@code μ} is the decision vector's one-hot code with decision {@code t} weighted by {@code
 * γ^t}; a space with its own {@link TopologyFeatures} uses those instead.
 */
public final class FeatureCount {

    private FeatureCount() {}

    /**
     * The discounted one-hot count of a decision space's vectors.
     *
     * @param space the space
     * @param discount γ in (0, 1]
     */
    public static <G extends Genotype> Function<G, double[]> ofDecisions(
            DecisionSpace<G> space, double discount) {
        if (!(discount > 0 && discount <= 1)) {
            throw new IllegalArgumentException(
                    "search.irlas.discount must be in (0, 1], got " + discount);
        }
        List<Decision> d = space.decisions();
        int[] offset = new int[d.size()];
        int n = 0;
        for (int j = 0; j < d.size(); j++) {
            offset[j] = n;
            n += d.get(j).choices();
        }
        int size = n;
        return g -> {
            int[] x = space.encode(g);
            double[] mu = new double[size];
            double w = 1;
            for (int t = 0; t < x.length; t++) {
                mu[offset[t] + x[t]] += w;
                w *= discount;
            }
            return mu;
        };
    }

    /**
     * The features of a space: its own {@link TopologyFeatures} when it has them, otherwise the
     * discounted one-hot count of its decisions.
     *
     * @throws IllegalArgumentException when the space has neither
     */
    @SuppressWarnings("unchecked")
    public static <G extends Genotype> Function<G, double[]> of(Object space, double discount) {
        if (space instanceof TopologyFeatures<?> t) {
            return g -> ((TopologyFeatures<G>) t).topologyFeatures(g);
        }
        if (space instanceof DecisionSpace<?> d) {
            return ofDecisions((DecisionSpace<G>) d, discount);
        }
        throw new IllegalArgumentException(
                "the IRLAS term needs a space with topology features or a decision vector; "
                        + space.getClass().getSimpleName()
                        + " has neither");
    }
}
