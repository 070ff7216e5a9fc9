package org.dpnas.autodeeplab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.nn.ops.MixedOp;
import org.dpnas.common.nn.ops.OpSpec;

/**
 * One Auto-DeepLab search cell (Liu et al., CVPR 2019, Sec. 3.1, Eq. 1–2): a DARTS cell of B blocks
 * whose block i sums mixed edges from H^{l−2}, H^{l−1} and blocks 0..i−1 (2 + 3 + … + (B+1) edges);
 * its output is the concatenation of the B block outputs.
 *
 * <p>The node at level s receives H^{l−1} from up to three neighbours (level s−1, s, s+1, indexed
 * by the β choice that leads here: {@code DOWN}, {@code SAME}, {@code UP}). As in the reference
 * port, each neighbour gets its own 1×1 ReLU-conv-BN preprocessing, the cell's edges are shared,
 * and the cell is evaluated once per neighbour; the network weights the results by β. H^{l−2} is
 * preprocessed once. A cell without H^{l−2} (the first layers of each level) has no edges from it,
 * and its blocks sum only the remaining inputs. Convolution inputs are the step's arrays, so every
 * intermediate lands in the step's manager.
 */
public final class SearchCell extends CellBase {

    private final MixedOp[] edges;

    /**
     * Creates the cell.
     *
     * @param blocks B
     * @param channels C, channels of each block (F·2^level)
     * @param prevPrevChannels channels of H^{l−2}, or 0 when the cell has none
     * @param inChannels channels of H^{l−1} from each neighbour, indexed by β choice (UP = from
     *     level s+1, SAME, DOWN = from level s−1), 0 where the neighbour does not exist
     * @param ops the candidate ops of every edge
     */
    public SearchCell(
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
     * @param ops the candidate ops of every edge
     * @param downConv whether the DOWN neighbour is reduced by a stride-2 3×3 convolution
     */
    public SearchCell(
            int blocks,
            int channels,
            int prevPrevChannels,
            int[] inChannels,
            List<OpSpec> ops,
            boolean downConv) {
        super(blocks, channels, prevPrevChannels, inChannels, downConv);
        List<MixedOp> list = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            for (int j = 0; j < i + 2; j++) {
                boolean present = j != 0 || prevPrevChannels > 0;
                list.add(
                        present
                                ? addChildBlock(
                                        "edge" + list.size(), new MixedOp(channels, 1, ops, false))
                                : null);
            }
        }
        edges = list.toArray(new MixedOp[0]);
    }

    /**
     * The analytic weight count of a cell (what the constructor builds).
     *
     * @param blocks B
     * @param channels C
     * @param prevPrevChannels channels of H^{l−2} or 0
     * @param inChannels channels per neighbour, 0 where absent
     * @param ops the candidate ops
     */
    public static long weightCount(
            int blocks, int channels, int prevPrevChannels, int[] inChannels, List<OpSpec> ops) {
        return weightCount(blocks, channels, prevPrevChannels, inChannels, ops, false);
    }

    /**
     * The analytic weight count of a cell, optionally with the stride-2 3×3 DOWN preprocessing.
     *
     * @param blocks B
     * @param channels C
     * @param prevPrevChannels channels of H^{l−2} or 0
     * @param inChannels channels per neighbour, 0 where absent
     * @param ops the candidate ops
     * @param downConv whether the DOWN neighbour has a 3×3 convolution
     */
    public static long weightCount(
            int blocks,
            int channels,
            int prevPrevChannels,
            int[] inChannels,
            List<OpSpec> ops,
            boolean downConv) {
        long n = (long) prevPrevChannels * channels;
        for (int k = 0; k < inChannels.length; k++) {
            n += (long) inChannels[k] * channels * (downConv && k == DOWN ? 9 : 1);
        }
        long edge = MixedOp.weightCount(channels, 1, ops, false);
        int count = blocks * (blocks + 3) / 2 - (prevPrevChannels > 0 ? 0 : blocks);
        return n + count * edge;
    }

    /** The H^{l−2} preprocessing, or null. */
    Block prePrevBlock() {
        return prePrev;
    }

    /** The H^{l−1} preprocessing of neighbour k (β choice), or null. */
    Block preBlock(int k) {
        return pre[k];
    }

    /** Edge {@code index} (α row order), or null where the cell has no H^{l−2}. */
    MixedOp edge(int index) {
        return edges[index];
    }

    /**
     * Evaluates the cell once per neighbour.
     *
     * @param ps the parameter store
     * @param s0 H^{l−2} at this level's size, or null (must be null when the cell has none)
     * @param s1 H^{l−1} from each neighbour at this level's size, indexed by β choice; null where
     *     absent
     * @param alphaRows softmax(α) per edge (each a 1-D array over the ops), shared by all cells
     * @param training whether BNs use batch statistics
     * @return the cell output (N, B·C, H, W) per neighbour, indexed by β choice, null where absent
     */
    public NDArray[] apply(
            ParameterStore ps, NDArray s0, NDArray[] s1, NDArray[] alphaRows, boolean training) {
        return apply(ps, s0, s1, alphaRows, null, training);
    }

    /**
     * Evaluates the cell once per neighbour, each edge running only its selected op where one is
     * given (GDAS, {@link MixedOp#forward(ParameterStore, NDArray, NDArray, int, boolean)}).
     *
     * @param ps the parameter store
     * @param s0 H^{l−2}, or null
     * @param s1 H^{l−1} from each neighbour, null where absent
     * @param alphaRows the op weights per edge
     * @param selected per edge the op that runs alone, or null for the full mixture
     * @param training whether BNs use batch statistics
     * @return the cell output per neighbour, null where absent
     */
    public NDArray[] apply(
            ParameterStore ps,
            NDArray s0,
            NDArray[] s1,
            NDArray[] alphaRows,
            int[] selected,
            boolean training) {
        if ((s0 != null) != (prePrev != null)) {
            throw new IllegalArgumentException(
                    "cell "
                            + (prePrev != null ? "needs" : "has no")
                            + " H^{l-2} input, got "
                            + (s0 == null ? "none" : s0.getShape()));
        }
        NDArray p0 = s0 == null ? null : prePrev.forward(ps, new NDList(s0), training).head();
        NDArray[] out = new NDArray[3];
        for (int k = 0; k < 3; k++) {
            if ((s1[k] != null) != (pre[k] != null)) {
                throw new IllegalArgumentException("cell input " + k + " presence mismatch");
            }
            if (s1[k] == null) {
                continue;
            }
            NDArray p1 = pre[k].forward(ps, new NDList(s1[k]), training).head();
            out[k] = dag(ps, p0, p1, alphaRows, selected, training);
        }
        return out;
    }

    private NDArray dag(
            ParameterStore ps,
            NDArray p0,
            NDArray p1,
            NDArray[] alphaRows,
            int[] selected,
            boolean training) {
        List<NDArray> states = new ArrayList<>();
        states.add(p0);
        states.add(p1);
        int offset = 0;
        for (int i = 0; i < blocks; i++) {
            NDArray sum = null;
            for (int j = 0; j < i + 2; j++) {
                MixedOp e = edges[offset + j];
                if (e == null) {
                    continue;
                }
                NDArray y =
                        selected == null
                                ? e.forward(ps, states.get(j), alphaRows[offset + j], training)
                                : e.forward(
                                        ps,
                                        states.get(j),
                                        alphaRows[offset + j],
                                        selected[offset + j],
                                        training);
                sum = sum == null ? y : sum.add(y);
            }
            states.add(sum);
            offset += i + 2;
        }
        return NDArrays.concat(new NDList(states.subList(2, states.size())), 1);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initializeChildBlocks(manager, dataType, inputShapes);
        for (MixedOp e : edges) {
            if (e != null) {
                e.initialize(manager, dataType, new Shape(1, channels, 4, 4));
            }
        }
    }
}
