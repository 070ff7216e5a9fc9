package org.dpnas.common.search;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * A weight-sharing supernet: a DJL block whose architecture parameters are kept apart from its
 * weights, so that a bilevel search steps them with separate optimizers on disjoint data, and which
 * decodes its current architecture into a genotype.
 *
 * @param <G> the genotype type
 */
public interface Supernet<G extends Genotype> extends Block {

    /** Every trainable parameter except the architecture parameters, in a stable order. */
    List<Parameter> weightParameters();

    /** The architecture parameters (e.g. α and β), in a stable order. */
    List<Parameter> archParameters();

    /** The discrete architecture the current architecture parameters select. */
    G derive();
}
