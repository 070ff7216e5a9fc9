package org.dpnas.common.search.rl;

import java.util.List;
import org.dpnas.common.search.Genotype;

/**
 * A space whose genotypes map one-to-one to a fixed-length vector of categorical decisions, which
 * is what an RL controller emits.
 *
 * @param <G> the genotype type
 */
public interface DecisionSpace<G extends Genotype> {

    /** The decisions, in the order the controller makes them. */
    List<Decision> decisions();

    /** The decision vector of a genotype ({@code decode(encode(g))} equals {@code g}). */
    int[] encode(G genotype);

    /**
     * The genotype of a decision vector.
     *
     * @throws IllegalArgumentException naming the decision when a value is out of range
     */
    G decode(int[] decisions);
}
