package org.dpnas.common.nn.ops;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
 * The DARTS {@code skip_connect} at stride 2 (Liu et al., ICLR 2019, code; Zoph et al. 2018): ReLU,
 * then two 1×1 stride-2 convolutions to C_out/2 channels each, on the input and on the input
 * shifted by one pixel, concatenated and batch-normalised. Needs even spatial sizes and even C_out.
 */
public final class FactorizedReduce extends AbstractBlock implements CostAware {

    private final Conv2d left;
    private final Conv2d right;
    private final BatchNorm bn;

    /**
     * Creates the op.
     *
     * @param in input channels (informational; taken from the input at initialisation)
     * @param out output channels, even
     * @param affine whether the BN learns a scale and shift
     */
    public FactorizedReduce(int in, int out, boolean affine) {
        if (out % 2 != 0) {
            throw new IllegalArgumentException("FactorizedReduce needs even channels, got " + out);
        }
        left = addChildBlock("left", conv(out / 2));
        right = addChildBlock("right", conv(out / 2));
        bn = addChildBlock("bn", Chain.batchNorm(affine));
    }

    private static Conv2d conv(int out) {
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(1, 1))
                .optStride(new Shape(2, 2))
                .optBias(false)
                .build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = Activation.relu(inputs.head());
        NDArray a = left.forward(ps, new NDList(x), training).head();
        NDArray b = right.forward(ps, new NDList(x.get(":, :, 1:, 1:")), training).head();
        return bn.forward(ps, new NDList(NDArrays.concat(new NDList(a, b), 1)), training);
    }

    /**
     * Counts the ReLU (one op per input element), the left convolution on the input, the right one
     * on the input shifted by one pixel ({@code H−1 × W−1}), the free concatenation and the BN.
     */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape in = inputShapes[0];
        counter.elementwise(in);
        counter.count(left, in);
        counter.count(right, new Shape(in.get(0), in.get(1), in.get(2) - 1, in.get(3) - 1));
        return counter.count(bn, getOutputShapes(inputShapes));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = left.getOutputShapes(inputShapes)[0];
        return new Shape[] {new Shape(s.get(0), s.get(1) * 2, s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        left.initialize(manager, dataType, inputShapes);
        right.initialize(manager, dataType, inputShapes);
        bn.initialize(manager, dataType, getOutputShapes(inputShapes));
    }
}
