package org.dpnas.common.nn.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * The DARTS continuous relaxation of one edge (Liu et al., ICLR 2019, Eq. 1): {@code ō(x) = Σ_o w_o
 * · o(x)} with {@code w = softmax(α_edge)} computed once by the caller.
 *
 * <p>Inputs: {@code (x, w)} with x of shape (N, C, H, W) and w the edge's weights over {@link
 * #ops()}. Pooling ops are followed by a non-affine BN as in DARTS; {@code none} contributes {@code
 * w·0 = 0} to the value and to every gradient, so it is skipped rather than computed.
 */
public final class MixedOp extends AbstractBlock {

    private final List<OpSpec> ops;
    private final Block[] blocks;
    private final int stride;

    /**
     * Creates the edge.
     *
     * @param channels channels C of the edge
     * @param stride 1, or 2 for a reduction edge
     * @param ops the candidate ops, in the order of the weight vector
     * @param affine whether the ops' BNs learn a scale and shift (false during search)
     */
    public MixedOp(int channels, int stride, List<OpSpec> ops, boolean affine) {
        this(ops, stride, candidates(channels, stride, ops, affine));
    }

    /**
     * Creates the edge over given candidate blocks (null for {@code none}), e.g. to observe which
     * ops run.
     *
     * @param ops the candidate ops, in the order of the weight vector
     * @param stride 1 or 2
     * @param candidates one block per op, null for {@code none}
     */
    MixedOp(List<OpSpec> ops, int stride, Block[] candidates) {
        if (ops.isEmpty() || candidates.length != ops.size()) {
            throw new IllegalArgumentException("a mixed op needs at least one candidate");
        }
        this.ops = List.copyOf(ops);
        this.stride = stride;
        blocks = new Block[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            if (candidates[i] != null) {
                blocks[i] = addChildBlock(ops.get(i).opName(), candidates[i]);
            }
        }
    }

    private static Block[] candidates(int channels, int stride, List<OpSpec> ops, boolean affine) {
        Block[] out = new Block[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            OpSpec op = ops.get(i);
            if (op == OpSpec.NONE) {
                continue;
            }
            Block b = op.create(channels, stride, affine);
            out[i] = op.isPooling() ? new PoolBn((Pool3x3) b) : b;
        }
        return out;
    }

    /** The candidate ops, in the order of the weight vector. */
    public List<OpSpec> ops() {
        return ops;
    }

    /**
     * Evaluates the edge.
     *
     * @param ps the parameter store
     * @param x the input (N, C, H, W); every intermediate lands in its manager
     * @param weights the softmaxed weights over {@link #ops()}, 1-D
     * @param training whether BNs use batch statistics
     * @return Σ_o w_o · o(x)
     */
    public NDArray forward(ParameterStore ps, NDArray x, NDArray weights, boolean training) {
        return forward(ps, new NDList(x, weights), training).head();
    }

    /**
     * Evaluates the edge with one op selected (GDAS, Dong &amp; Yang, CVPR 2019, Sec. 3.2): only
     * that op runs, and the result is {@code w_k · o_k(x)} — with GDAS's straight-through weights
     * {@code w = one_hot(k) − sg(p) + p} that is {@code o_k(x)} in value while α receives the
     * gradient through {@code p_k}. The other ops are neither computed nor touched (their BN
     * statistics stay as they are).
     *
     * @param ps the parameter store
     * @param x the input (N, C, H, W)
     * @param weights the edge's weights over {@link #ops()}, 1-D
     * @param selected the op to run, or −1 for the full mixture {@link #forward(ParameterStore,
     *     NDArray, NDArray, boolean)}
     * @param training whether BNs use batch statistics
     * @return {@code w_k · o_k(x)}, or the zero map when op k is {@code none}
     */
    public NDArray forward(
            ParameterStore ps, NDArray x, NDArray weights, int selected, boolean training) {
        if (selected < 0) {
            return forward(ps, x, weights, training);
        }
        if (selected >= ops.size()) {
            throw new IllegalArgumentException(
                    "selected op " + selected + " of a mixed op over " + ops.size() + " ops");
        }
        if (blocks[selected] == null) {
            return blocksOutputZero(x).head();
        }
        return blocks[selected]
                .forward(ps, new NDList(x), training)
                .head()
                .mul(weights.get(selected));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray w = inputs.get(1);
        if (w.getShape().dimension() != 1 || w.getShape().get(0) != ops.size()) {
            throw new IllegalArgumentException(
                    "mixed op over " + ops.size() + " ops got weights " + w.getShape());
        }
        NDArray sum = null;
        for (int i = 0; i < blocks.length; i++) {
            if (blocks[i] == null) {
                continue;
            }
            NDArray y = blocks[i].forward(ps, new NDList(x), training).head().mul(w.get(i));
            sum = sum == null ? y : sum.add(y);
        }
        if (sum == null) {
            // only `none`: the zero map of the output shape
            return blocksOutputZero(x);
        }
        return new NDList(sum);
    }

    private NDList blocksOutputZero(NDArray x) {
        Shape out = getOutputShapes(new Shape[] {x.getShape()})[0];
        return new NDList(x.getManager().zeros(out, x.getDataType()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        for (Block b : blocks) {
            if (b != null) {
                return b.getOutputShapes(new Shape[] {inputShapes[0]});
            }
        }
        return new Zero(stride).getOutputShapes(new Shape[] {inputShapes[0]});
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block b : blocks) {
            if (b != null) {
                b.initialize(manager, dataType, inputShapes[0]);
            }
        }
    }

    /** Trainable weights of the edge, from the op table's analytic counts. */
    public static long weightCount(int channels, int stride, List<OpSpec> ops, boolean affine) {
        long n = 0;
        for (OpSpec op : ops) {
            n += op.weightCount(channels, stride, affine);
        }
        return n;
    }
}
