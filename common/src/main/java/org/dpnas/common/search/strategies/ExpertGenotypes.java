package org.dpnas.common.search.strategies;

import java.util.Optional;
import org.dpnas.common.search.Genotype;

/**
 * A space that knows hand-designed genotypes of itself by name (for example FPN in the NAS-FPN
 * space), which the IRLAS term ({@link ImitationReward}) can take as its expert.
 *
 * @param <G> the genotype type
 */
public interface ExpertGenotypes<G extends Genotype> {

    /** The named expert genotype of this space, if there is one. */
    Optional<G> expert(String name);
}
