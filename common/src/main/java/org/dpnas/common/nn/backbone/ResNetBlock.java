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
 * torchvision's ResNet blocks (He et al., https://arxiv.org/abs/1512.03385, §3.3, Fig. 5) with its
 * parameter names: the basic block ({@code conv1}/{@code bn1}, {@code conv2}/{@code bn2}, two 3×3)
 * and the bottleneck (1×1 to {@code planes}, 3×3 carrying the stride as in torchvision's "v1.5",
 * 1×1 to {@code 4·planes}), with a {@code downsample} projection (1×1 convolution {@code 0} and
 * BatchNorm {@code 1}) when stride or width change.
 *
 * <p>Dilation: the bottleneck's 3×3 is dilated as in torchvision. torchvision refuses a dilated
 * basic block; here both of its 3×3 convolutions take the dilation, so ResNet-10/18/34 also reach
 * output stride 8 and 16 (no weights change shape).
 */
public final class ResNetBlock extends AbstractBlock implements CostAware {

    private final Conv2d[] convs;
    private final BatchNorm[] bns;
    private final ConvNormAct downsample;
    private final int outChannels;

    /**
     * Creates a block.
     *
     * @param in input channels
     * @param planes the stage's width (output {@code planes}, or {@code 4·planes} for a bottleneck)
     * @param stride stride (of the first 3×3)
     * @param dilation dilation of the 3×3 convolutions
     * @param bottleneck bottleneck or basic block
     */
    public ResNetBlock(int in, int planes, int stride, int dilation, boolean bottleneck) {
        outChannels = bottleneck ? 4 * planes : planes;
        if (bottleneck) {
            convs =
                    new Conv2d[] {
                        Layers.conv(planes, 1, 1, 1, 1),
                        Layers.conv(planes, 3, stride, dilation, 1),
                        Layers.conv(outChannels, 1, 1, 1, 1)
                    };
        } else {
            convs =
                    new Conv2d[] {
                        Layers.conv(planes, 3, stride, dilation, 1),
                        Layers.conv(planes, 3, 1, dilation, 1)
                    };
        }
        bns = new BatchNorm[convs.length];
        for (int i = 0; i < convs.length; i++) {
            addChildBlock("conv" + (i + 1), convs[i]);
            bns[i] = addChildBlock("bn" + (i + 1), Layers.bn());
        }
        downsample =
                stride != 1 || in != outChannels
                        ? addChildBlock(
                                "downsample",
                                new ConvNormAct(outChannels, 1, stride, 1, 1, ConvNormAct.Act.NONE))
                        : null;
    }

    /** Output channels. */
    public int outChannels() {
        return outChannels;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (int i = 0; i < convs.length; i++) {
            x =
                    new NDList(
                            BatchNorms.apply(
                                    ps,
                                    bns[i],
                                    convs[i].forward(ps, x, training).head(),
                                    training));
            if (i < convs.length - 1) {
                x = new NDList(Activation.relu(x.head()));
            }
        }
        NDArray skip =
                downsample == null
                        ? inputs.head()
                        : downsample.forward(ps, inputs, training).head();
        return new NDList(Activation.relu(x.head().add(skip)));
    }

    /** Counts the convolutions, BatchNorms and ReLUs, the projection, the add and the last ReLU. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (int i = 0; i < convs.length; i++) {
            s = counter.count(bns[i], counter.count(convs[i], s));
            counter.elementwise(s[0]);
        }
        if (downsample != null) {
            counter.count(downsample, inputShapes);
        }
        counter.elementwise(s[0]); // the residual add
        return s;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (Conv2d c : convs) {
            s = c.getOutputShapes(s);
        }
        return s;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = inputShapes;
        for (int i = 0; i < convs.length; i++) {
            convs[i].initialize(manager, dataType, s);
            s = convs[i].getOutputShapes(s);
            bns[i].initialize(manager, dataType, s);
        }
        if (downsample != null) {
            downsample.initialize(manager, dataType, inputShapes);
        }
    }
}
