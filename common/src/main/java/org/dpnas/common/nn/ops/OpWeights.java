package org.dpnas.common.nn.ops;

import ai.djl.ndarray.NDArray;

/**
 * The op weights of a forward pass, one row per edge (α's row order), and optionally the one op of
 * each edge that is to run (GDAS, Dong &amp; Yang, CVPR 2019): a {@link MixedOp} given a selected
 * op computes {@code w_k · o_k(x)} for that op only.
 *
 * @param weights (edges × ops) weights, in the pass's manager
 * @param selected per edge the op to run, or null when every op runs
 */
public record OpWeights(NDArray weights, int[] selected) {

    /** The weights of edge {@code e} (1-D over the ops). */
    public NDArray row(int e) {
        return weights.get(e);
    }

    /** The op edge {@code e} runs alone, or −1 when it mixes all ops. */
    public int selected(int e) {
        return selected == null ? -1 : selected[e];
    }
}
