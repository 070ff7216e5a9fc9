package org.dpnas.common.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;

/**
 * Convolution (no bias), batch normalisation and an optional ReLU: the unit most dense-prediction
 * networks are made of. Padding keeps the spatial size at stride 1 ({@code dilation·(k−1)/2}).
 * BatchNorm momentum follows PyTorch's 0.1 (DJL's 0.9), and the BatchNorm runs as one libtorch call
 * ({@link BatchNorms}). A convolution at stride 1 runs with only the taps that can meet its input
 * ({@link LiveTaps}).
 */
public final class ConvBnAct extends AbstractBlock implements CostAware {

    private final Conv2d conv;
    private final BatchNorm bn;
    private final boolean relu;

    /**
     * Creates the block.
     *
     * @param out output channels
     * @param kernel square kernel size (odd)
     * @param stride stride
     * @param dilation dilation rate
     * @param groups convolution groups (input channels for depthwise)
     * @param relu whether a ReLU follows
     */
    public ConvBnAct(int out, int kernel, int stride, int dilation, int groups, boolean relu) {
        conv = addChildBlock("conv", sameConv(out, kernel, stride, dilation, groups));
        bn = addChildBlock("bn", BatchNorms.pytorchDefault());
        this.relu = relu;
    }

    /**
     * A square convolution without bias whose padding ({@code dilation·(k−1)/2}) keeps the spatial
     * size at stride 1: the convolution of this block, for blocks that compose their own.
     */
    public static Conv2d sameConv(int out, int kernel, int stride, int dilation, int groups) {
        int pad = dilation * (kernel - 1) / 2;
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad))
                .optDilation(new Shape(dilation, dilation))
                .optGroups(groups)
                .optBias(false)
                .build();
    }

    /** A plain k×k convolution block with ReLU. */
    public static ConvBnAct of(int out, int kernel, int stride) {
        return new ConvBnAct(out, kernel, stride, 1, 1, true);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray y = LiveTaps.conv2d(ps, conv, inputs.singletonOrThrow(), training);
        y = BatchNorms.apply(ps, bn, y, training);
        return new NDList(relu ? Activation.relu(y) : y);
    }

    /** Counts the convolution, the BatchNorm and the ReLU (one op per output element). */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] s = counter.count(bn, counter.count(conv, inputShapes));
        if (relu) {
            counter.elementwise(s[0]);
        }
        return s;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        conv.initialize(manager, dataType, inputShapes);
        bn.initialize(manager, dataType, conv.getOutputShapes(inputShapes));
    }
}
