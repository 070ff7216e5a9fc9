package org.dpnas.common.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;

/**
 * The ResNet basic block (He et al., https://arxiv.org/abs/1512.03385): two 3×3 convolutions with a
 * shortcut, projected by a 1×1 convolution when the stride or width changes; the second convolution
 * may be dilated to grow the receptive field without down-sampling.
 */
public final class ResidualBlock extends AbstractBlock implements CostAware {

    private final ConvBnAct conv1;
    private final ConvBnAct conv2;
    private final ConvBnAct shortcut;
    private final int out;
    private final int stride;

    /**
     * Creates a block.
     *
     * @param in input channels
     * @param out output channels
     * @param stride stride of the first convolution
     * @param dilation dilation of the second convolution
     */
    public ResidualBlock(int in, int out, int stride, int dilation) {
        this.out = out;
        this.stride = stride;
        conv1 = addChildBlock("conv1", new ConvBnAct(out, 3, stride, 1, 1, true));
        conv2 = addChildBlock("conv2", new ConvBnAct(out, 3, 1, dilation, 1, false));
        shortcut =
                (stride != 1 || in != out)
                        ? addChildBlock("shortcut", new ConvBnAct(out, 1, stride, 1, 1, false))
                        : null;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray y = conv2.forward(ps, conv1.forward(ps, inputs, training), training).head();
        NDArray skip =
                shortcut == null ? inputs.head() : shortcut.forward(ps, inputs, training).head();
        return new NDList(Activation.relu(y.add(skip)));
    }

    /** Counts both convolutions, the shortcut, the add and the final ReLU. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] y = counter.count(conv2, counter.count(conv1, inputShapes));
        if (shortcut != null) {
            counter.count(shortcut, inputShapes);
        }
        counter.elementwise(y[0]); // y + skip
        counter.elementwise(y[0]); // ReLU
        return y;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long h = (s.get(2) - 1) / stride + 1;
        long w = (s.get(3) - 1) / stride + 1;
        return new Shape[] {new Shape(s.get(0), out, h, w)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        conv1.initialize(manager, dataType, inputShapes);
        Shape[] mid = conv1.getOutputShapes(inputShapes);
        conv2.initialize(manager, dataType, mid);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }
}
