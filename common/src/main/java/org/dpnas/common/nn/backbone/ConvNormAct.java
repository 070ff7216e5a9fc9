package org.dpnas.common.nn.backbone;

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
import org.dpnas.common.nn.BatchNorms;

/**
 * Convolution {@code 0}, BatchNorm {@code 1} and an optional activation: torchvision's {@code
 * Conv2dNormActivation} (and a ResNet's {@code downsample}) with the same parameter names.
 */
public final class ConvNormAct extends AbstractBlock implements CostAware {

    /** The activation after the BatchNorm. */
    public enum Act {
        /** None. */
        NONE,
        /** max(x, 0). */
        RELU,
        /** min(max(x, 0), 6). */
        RELU6
    }

    private final Conv2d conv;
    private final BatchNorm bn;
    private final Act act;

    /**
     * Creates the block.
     *
     * @param out output channels
     * @param kernel square kernel size
     * @param stride stride
     * @param dilation dilation (padding {@code dilation·(kernel−1)/2})
     * @param groups convolution groups
     * @param act the activation
     */
    public ConvNormAct(int out, int kernel, int stride, int dilation, int groups, Act act) {
        conv = addChildBlock("0", Layers.conv(out, kernel, stride, dilation, groups));
        bn = addChildBlock("1", Layers.bn());
        this.act = act;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = BatchNorms.apply(ps, bn, conv.forward(ps, inputs, training).head(), training);
        return new NDList(activate(x, act));
    }

    static NDArray activate(NDArray x, Act act) {
        return switch (act) {
            case NONE -> x;
            case RELU -> Activation.relu(x);
            case RELU6 -> x.clip(0, 6); // one clamp (DJL's relu6 is a ReLU then a minimum)
        };
    }

    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] s = counter.count(bn, counter.count(conv, inputShapes));
        if (act != Act.NONE) {
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
