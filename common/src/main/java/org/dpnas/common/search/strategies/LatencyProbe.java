package org.dpnas.common.search.strategies;

import java.nio.file.Path;
import org.dpnas.common.search.Genotype;

/**
 * Measures one child's inference latency, in the process (and on the device) that evaluates it, for
 * a latency-aware reward such as {@link MnasReward}.
 *
 * @param <G> the genotype type
 */
@FunctionalInterface
public interface LatencyProbe<G extends Genotype> {

    /**
     * The child's latency.
     *
     * @param genotype the child
     * @param runDir the child's run directory (a probe may keep its measurement there)
     * @return median milliseconds of a forward pass, > 0
     */
    double latencyMs(G genotype, Path runDir) throws Exception;
}
