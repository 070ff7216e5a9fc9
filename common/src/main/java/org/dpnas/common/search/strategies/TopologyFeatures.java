package org.dpnas.common.search.strategies;

import org.dpnas.common.search.Genotype;

/**
 * A space that describes a genotype's topology as a fixed-length feature vector of its own making
 * (for example counts of each op and of each connection pattern), which the IRLAS imitation term
 * ({@link ImitationReward}) compares with an expert's. A space without it is described by the
 * discounted one-hot count of its decision vector ({@link FeatureCount#ofDecisions}).
 *
 * @param <G> the genotype type
 */
public interface TopologyFeatures<G extends Genotype> {

    /** The genotype's topology features; every genotype of the space gives the same length. */
    double[] topologyFeatures(G genotype);
}
