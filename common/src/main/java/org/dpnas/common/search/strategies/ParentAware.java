package org.dpnas.common.search.strategies;

import java.util.Optional;
import org.dpnas.common.search.Genotype;

/**
 * A strategy whose children have a parent trial (evolution), so a child may inherit the parent's
 * trained weights where its layers match (RENAS, Chen et al., CVPR 2019, §3.3). {@link
 * InheritingRunner} passes the parent to the child's evaluator.
 *
 * @param <G> the genotype type
 */
public interface ParentAware<G extends Genotype> {

    /**
     * The run directory of the parent of a child proposed and not yet observed, relative to the
     * search directory (a trial's {@code dir}), if the child has one.
     */
    Optional<String> parentDir(G child);
}
