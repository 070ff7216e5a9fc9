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
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("a mixed op needs at least one candidate");
        }
        this.ops = List.copyOf(ops);
        this.stride = stride;
        blocks = new Block[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            OpSpec op = ops.get(i);
            if (op == OpSpec.NONE) {
                continue;
            }
            Block b = op.create(channels, stride, affine);
            if (op.isPooling()) {
                b = new PoolBn((Pool3x3) b);
            }
            blocks[i] = addChildBlock(op.opName(), b);
        }
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
