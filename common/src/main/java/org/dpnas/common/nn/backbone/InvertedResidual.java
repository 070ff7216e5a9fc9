package org.dpnas.common.nn.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;

/**
 * MobileNet-v2's inverted residual block (Sandler et al., https://arxiv.org/abs/1801.04381, §3.3,
 * Table 1) as torchvision builds it, under the name {@code conv}: a 1×1 expansion to {@code in·t}
 * channels with ReLU6 (absent when t = 1), a 3×3 depthwise convolution with ReLU6 carrying the
 * stride and the dilation, a linear 1×1 projection and its BatchNorm; the input is added back when
 * stride is 1 and the widths agree.
 */
public final class InvertedResidual extends AbstractBlock implements CostAware {

    private final IndexedSequence conv;
    private final boolean residual;

    /**
     * Creates a block.
     *
     * @param in input channels
     * @param out output channels
     * @param stride stride of the depthwise convolution
     * @param dilation dilation of the depthwise convolution
     * @param expand expansion ratio t
     */
    public InvertedResidual(int in, int out, int stride, int dilation, int expand) {
        int hidden = in * expand;
        List<Block> layers = new ArrayList<>();
        if (expand != 1) {
            layers.add(new ConvNormAct(hidden, 1, 1, 1, 1, ConvNormAct.Act.RELU6));
        }
        layers.add(new ConvNormAct(hidden, 3, stride, dilation, hidden, ConvNormAct.Act.RELU6));
        layers.add(Layers.conv(out, 1, 1, 1, 1));
        layers.add(Layers.bn());
        conv = addChildBlock("conv", new IndexedSequence(layers));
        residual = stride == 1 && in == out;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray y = conv.forward(ps, inputs, training).head();
        return new NDList(residual ? y.add(inputs.head()) : y);
    }

    /** Counts the layers and the residual add. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] s = counter.count(conv, inputShapes);
        if (residual) {
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
    }
}
