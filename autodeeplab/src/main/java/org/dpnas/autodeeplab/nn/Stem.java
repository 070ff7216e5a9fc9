package org.dpnas.autodeeplab.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The Auto-DeepLab search stem (Liu et al., CVPR 2019, Sec. 4.1, "three 3×3 convolutions to 1/4"):
 * convolutions with bias of stride 2, 1, 2 to ⌊F/2⌋·B, ⌊F/2⌋·B and F·B channels, each followed by
 * an affine BN and a ReLU, as in the reference port. Output: the level-0 node of layer −1.
 */
public final class Stem extends AbstractBlock {

    private final Block[] convs = new Block[3];
    private final Block[] norms = new Block[3];

    /**
     * Creates the stem.
     *
     * @param half channels of the first two convolutions (⌊F/2⌋·B)
     * @param out channels of the output (F·B)
     */
    public Stem(int half, int out) {
        int[] widths = {half, half, out};
        int[] strides = {2, 1, 2};
        for (int i = 0; i < 3; i++) {
            convs[i] =
                    addChildBlock(
                            "conv" + i,
                            Conv2d.builder()
                                    .setFilters(widths[i])
                                    .setKernelShape(new Shape(3, 3))
                                    .optStride(new Shape(strides[i], strides[i]))
                                    .optPadding(new Shape(1, 1))
                                    .build());
            norms[i] =
                    addChildBlock(
                            "bn" + i,
                            BatchNorm.builder().optMomentum(0.9f).optEpsilon(1e-5f).build());
        }
    }

    /** Weights of a stem for 3 input channels: biased convolutions and affine BNs. */
    public static long weightCount(int half, int out) {
        return 27L * half
                + half
                + 2L * half
                + 9L * half * half
                + half
                + 2L * half
                + 9L * half * out
                + out
                + 2L * out;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (int i = 0; i < 3; i++) {
            x = norms[i].forward(ps, convs[i].forward(ps, x, training), training);
            x = new NDList(Activation.relu(x.head()));
        }
        return x;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (Block c : convs) {
            s = c.getOutputShapes(s);
        }
        return s;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = inputShapes;
        for (int i = 0; i < 3; i++) {
            convs[i].initialize(manager, dataType, s);
            s = convs[i].getOutputShapes(s);
            norms[i].initialize(manager, dataType, s);
        }
    }
}
