package org.dpnas.common.nn.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * How a supernet turns its architecture parameters α (edges × ops) into the op weights of one
 * forward pass: DARTS's softmax (Liu et al., ICLR 2019, Eq. 2; {@link #SOFTMAX}) or a sampled
 * relaxation such as GDAS's (Dong &amp; Yang, CVPR 2019).
 */
@FunctionalInterface
public interface ArchRelaxation {

    /** softmax(α) over each row; every op runs. */
    ArchRelaxation SOFTMAX =
            (alpha, training, sm) ->
                    new OpWeights(alpha.softmax(alpha.getShape().dimension() - 1), null);

    /**
     * The op weights of one forward pass.
     *
     * @param alpha α as the parameter store returns it (edges × ops)
     * @param training whether the pass trains (a sampled relaxation samples only then)
     * @param sm the pass's manager (the input's); arrays the caller attaches there
     * @return the weights, and the op each edge runs when only one does
     */
    OpWeights weights(NDArray alpha, boolean training, NDManager sm);
}
