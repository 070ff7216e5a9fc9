package org.dpnas.autodeeplab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.search.darts.FusedEdges;

/**
 * The Auto-DeepLab search cell of {@link SearchCell}, with its mixed edges evaluated by the shared
 * fused DARTS edges ({@link FusedEdges}: every edge that reads the same state is computed together
 * with all its candidate ops). It computes the same function, with the same number of weights, as a
 * {@link SearchCell} over the DARTS op table.
 *
 * <p>The contributions of H^{l−2} do not depend on the H^{l−1} neighbour, so they are computed once
 * per cell and reused by its up to three evaluations; the running statistics of the BNs reading
 * H^{l−2} are updated as the reference's k updates with the same batch statistics (see {@link
 * FusedEdges#evaluate}).
 *
 * <p>Parameters: the preprocessing of {@link CellBase}, then the fused edges' parameters ({@link
 * FusedEdges}; checkpoints differ from a {@link SearchCell}'s, {@link #copyFrom} maps one onto the
 * other).
 */
public final class FusedCell extends CellBase {

    private final FusedEdges edges;

    /**
     * Creates the cell.
     *
     * @param blocks B
     * @param channels C, channels of each block (F·2^level)
     * @param prevPrevChannels channels of H^{l−2}, or 0 when the cell has none
     * @param inChannels channels of H^{l−1} from each neighbour, indexed by β choice, 0 where
     *     absent
     * @param ops the candidate ops, which must be the DARTS table in its order
     */
    public FusedCell(
            int blocks, int channels, int prevPrevChannels, int[] inChannels, List<OpSpec> ops) {
        this(blocks, channels, prevPrevChannels, inChannels, ops, false);
    }

    /**
     * Creates the cell, optionally with the paper's stride-2 3×3 DOWN preprocessing.
     *
     * @param blocks B
     * @param channels C
     * @param prevPrevChannels channels of H^{l−2}, or 0
     * @param inChannels channels of H^{l−1} per neighbour, 0 where absent
     * @param ops the candidate ops, which must be the DARTS table in its order
     * @param downConv whether the DOWN neighbour is reduced by a stride-2 3×3 convolution
     */
    public FusedCell(
            int blocks,
            int channels,
            int prevPrevChannels,
            int[] inChannels,
            List<OpSpec> ops,
            boolean downConv) {
        super(blocks, channels, prevPrevChannels, requireDarts(ops, inChannels), downConv);
        edges = new FusedEdges(blocks, channels, prevPrevChannels > 0, 1, ops, this::addParameter);
    }

    /**
     * Checks the op table before anything is built: it must hold exactly the eight DARTS ops, in
     * any order (α's columns follow the table). Returns {@code inChannels}.
     */
    private static int[] requireDarts(List<OpSpec> ops, int[] inChannels) {
        if (ops.size() != OpSpec.darts().size() || !FusedEdges.supports(ops)) {
            throw new IllegalArgumentException(
                    "the fused cell implements the eight DARTS ops "
                            + OpSpec.darts()
                            + " (in any order), got "
                            + ops);
        }
        return inChannels;
    }

    /**
     * The mixing matrices of a forward pass, one per read state ({@link FusedEdges#mixing}), shared
     * by every cell.
     *
     * @param alphaHat softmax(α), (edges, ops); the results land in its manager
     * @param blocks B
     * @param ops the op table, in the order of α's columns (the eight DARTS ops in any order)
     * @return the matrices, indexed by state
     */
    public static NDArray[] mixing(NDArray alphaHat, int blocks, List<OpSpec> ops) {
        requireDarts(ops, null);
        return FusedEdges.mixing(alphaHat, blocks, ops, 1);
    }

    /**
     * Evaluates the cell once per neighbour, as {@link SearchCell#apply}.
     *
     * @param ps the parameter store
     * @param s0 H^{l−2} at this level's size, or null (must be null when the cell has none)
     * @param s1 H^{l−1} from each neighbour at this level's size, indexed by β choice; null where
     *     absent
     * @param mixing the per-state mixing matrices of this pass ({@link #mixing})
     * @param training whether BNs use batch statistics
     * @return the cell output (N, B·C, H, W) per neighbour, indexed by β choice, null where absent
     */
    public NDArray[] apply(
            ParameterStore ps, NDArray s0, NDArray[] s1, NDArray[] mixing, boolean training) {
        if ((s0 != null) != (prePrev != null)) {
            throw new IllegalArgumentException(
                    "cell "
                            + (prePrev != null ? "needs" : "has no")
                            + " H^{l-2} input, got "
                            + (s0 == null ? "none" : s0.getShape()));
        }
        NDArray[] p1 = new NDArray[3];
        for (int k = 0; k < 3; k++) {
            if ((s1[k] != null) != (pre[k] != null)) {
                throw new IllegalArgumentException("cell input " + k + " presence mismatch");
            }
            if (s1[k] != null) {
                p1[k] = pre[k].forward(ps, new NDList(s1[k]), training).head();
            }
        }
        NDArray p0 = s0 == null ? null : prePrev.forward(ps, new NDList(s0), training).head();
        return edges.evaluate(ps, p0, p1, mixing, training);
    }

    /**
     * Copies the weights and running statistics of a {@link SearchCell} of the same shape into this
     * cell, so that both compute the same function (used to check the fused evaluation against the
     * plain one, and to load a plain checkpoint).
     *
     * @param plain the source cell
     */
    public void copyFrom(SearchCell plain) {
        copyBlock(plain.prePrevBlock(), prePrev);
        for (int k = 0; k < 3; k++) {
            copyBlock(plain.preBlock(k), pre[k]);
        }
        edges.copyFrom(plain::edge);
    }

    static void copyBlock(Block from, Block to) {
        if (from == null || to == null) {
            if (from != to) {
                throw new IllegalStateException("blocks differ in presence");
            }
            return;
        }
        PairList<String, Parameter> a = from.getParameters();
        PairList<String, Parameter> b = to.getParameters();
        if (a.size() != b.size()) {
            throw new IllegalStateException("blocks differ in parameters");
        }
        for (int i = 0; i < a.size(); i++) {
            a.valueAt(i).getArray().copyTo(b.valueAt(i).getArray());
        }
    }

    /** Trainable weights of the cell: the same as a {@link SearchCell}'s. */
    public static long weightCount(
            int blocks, int channels, int prevPrevChannels, int[] inChannels, List<OpSpec> ops) {
        return SearchCell.weightCount(blocks, channels, prevPrevChannels, inChannels, ops);
    }
}
