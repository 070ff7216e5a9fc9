package org.dpnas.autodeeplab;

/**
 * How the supernet evaluates its cells. Both compute the same function with the same number of
 * weights; they differ in how the weights are laid out and how many engine ops a step takes.
 */
public enum SupernetImpl {
    /** One block per op per edge, each edge evaluated on its own (a direct transcription). */
    PLAIN,
    /**
     * The edges that read the same input evaluated together: grouped depthwise and pointwise
     * convolutions over all their candidate ops, one BatchNorm call, one α-weighted reduction.
     */
    FUSED
}
