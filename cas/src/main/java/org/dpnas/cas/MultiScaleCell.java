package org.dpnas.cas;

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
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ops.DilConv;
import org.dpnas.common.nn.ops.Identity;
import org.dpnas.common.nn.ops.ReluConvBn;

/**
 * The CAS multi-scale cell (Zhang et al., CVPR 2019, Sec. 3.1, inspired by ASPP of DeepLab, Chen et
 * al., https://arxiv.org/abs/1706.05587): the backbone's output projected to M channels by a
 * ReLU-1×1 conv-BN, then parallel branches — identity (rate 0) or a 3×3 depthwise convolution at
 * dilation rate r followed by a pointwise convolution and BN (the op table's dilated convolution at
 * rate r) — summed. In the supernet the sum is weighted by softmax(α_ms) over the candidate rates
 * (inputs {@code (x, w)}); the fixed cell sums its kept branches (input {@code x}).
 */
public final class MultiScaleCell extends AbstractBlock implements CostAware {

    private final int channels;
    private final List<Integer> rates;
    private final boolean mixed;
    private final Block pre;
    private final Block[] branches;

    /**
     * Creates the cell.
     *
     * @param rates the branches' rates, 0 = identity
     * @param channels M, output channels
     * @param mixed whether it is the supernet's weighted cell (non-affine BN)
     */
    public MultiScaleCell(List<Integer> rates, int channels, boolean mixed) {
        if (rates.isEmpty()) {
            throw new IllegalArgumentException("the multi-scale cell needs at least one branch");
        }
        this.channels = channels;
        this.rates = List.copyOf(rates);
        this.mixed = mixed;
        boolean affine = !mixed;
        pre = addChildBlock("pre", new ReluConvBn(channels, 1, 1, affine));
        branches = new Block[rates.size()];
        for (int i = 0; i < rates.size(); i++) {
            int r = rates.get(i);
            if (r < 0) {
                throw new IllegalArgumentException("a branch rate must be >= 0, got " + r);
            }
            branches[i] =
                    addChildBlock(
                            "rate" + r + "_" + i,
                            r == 0 ? new Identity() : new DilConv(channels, 3, 1, r, affine));
        }
    }

    /** A fixed cell of the same size with only the given branches (used to price a branch). */
    public MultiScaleCell fixedLike(List<Integer> rates) {
        return new MultiScaleCell(rates, channels, false);
    }

    /** M, output channels. */
    public int channels() {
        return channels;
    }

    /** The branches' rates (0 = identity), in α_ms order. */
    public List<Integer> rates() {
        return rates;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = pre.forward(ps, new NDList(in.get(0)), training).head();
        NDArray sum = null;
        for (int i = 0; i < branches.length; i++) {
            NDArray y = branches[i].forward(ps, new NDList(x), training).head();
            if (mixed) {
                y = y.mul(in.get(1).get(i));
            }
            sum = sum == null ? y : sum.add(y);
        }
        return new NDList(sum);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        Shape s = in[0];
        return new Shape[] {new Shape(s.get(0), channels, s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
        pre.initialize(manager, dataType, in[0]);
        Shape s = getOutputShapes(in)[0];
        for (Block b : branches) {
            b.initialize(manager, dataType, s);
        }
    }

    @Override
    public Shape[] countCost(CostCounter counter, Shape[] in) {
        Shape x = counter.count(pre, in[0])[0];
        for (int i = 0; i < branches.length; i++) {
            counter.count(branches[i], x);
            if (mixed) {
                counter.elementwise(x);
            }
            if (i > 0) {
                counter.elementwise(x);
            }
        }
        return new Shape[] {x};
    }
}
