package org.dpnas.autodeeplab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
 * The search-time ASPP head of one level (Liu et al., CVPR 2019, Sec. 4.1: "an ASPP module per
 * spatial level, rate 96/stride"), as the reference port builds it: a 1×1 branch and a 3×3 branch
 * at the level's rate (each convolution + BN, no ReLU), an image-pooling branch (global average,
 * 1×1, BN, ReLU, broadcast back), concatenation, 1×1 to C, BN, and a 1×1 classifier — all
 * convolutions without bias. Weights: 14C² + 8C + C·classes.
 *
 * <p>The reference passes 0.0003 to the concatenation BN positionally, which PyTorch takes as
 * {@code eps}; that is kept. The pooling branch's BN sees one value per channel and image, so
 * training needs a batch of at least 2 (as in PyTorch).
 */
public final class SearchAspp extends AbstractBlock {

    private final Block conv11;
    private final Block bn11;
    private final Block conv33;
    private final Block bn33;
    private final Block convPool;
    private final Block bnPool;
    private final Block project;
    private final Block bnProject;
    private final Block classifier;
    private final int channels;

    /**
     * Creates the head.
     *
     * @param channels input channels C
     * @param numClasses output classes
     * @param rate dilation (and padding) of the 3×3 branch, 96 / stride
     */
    public SearchAspp(int channels, int numClasses, int rate) {
        this.channels = channels;
        conv11 = addChildBlock("conv11", conv(channels, 1, 1));
        bn11 = addChildBlock("bn11", bn(1e-5f));
        conv33 = addChildBlock("conv33", conv(channels, 3, rate));
        bn33 = addChildBlock("bn33", bn(1e-5f));
        convPool = addChildBlock("convPool", conv(channels, 1, 1));
        bnPool = addChildBlock("bnPool", bn(1e-5f));
        project = addChildBlock("project", conv(channels, 1, 1));
        bnProject = addChildBlock("bnProject", bn(3e-4f));
        classifier = addChildBlock("classifier", conv(numClasses, 1, 1));
    }

    /** Weights of a head on C channels: 14C² + 8C + C·classes. */
    public static long weightCount(long c, int numClasses) {
        return 14 * c * c + 8 * c + c * numClasses;
    }

    private static Conv2d conv(int out, int kernel, int rate) {
        int pad = rate * (kernel - 1) / 2;
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(kernel, kernel))
                .optPadding(new Shape(pad, pad))
                .optDilation(new Shape(rate, rate))
                .optBias(false)
                .build();
    }

    private static BatchNorm bn(float eps) {
        return BatchNorm.builder().optMomentum(0.9f).optEpsilon(eps).build();
    }

    private static NDArray run(ParameterStore ps, Block b, NDArray x, boolean training) {
        return b.forward(ps, new NDList(x), training).head();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDArray a = run(ps, bn11, run(ps, conv11, x, training), training);
        NDArray b = run(ps, bn33, run(ps, conv33, x, training), training);
        // global average pooling as two single-axis means (multi-axis mean is unsupported)
        NDArray pooled = x.mean(new int[] {3}, true).mean(new int[] {2}, true);
        NDArray p = Activation.relu(run(ps, bnPool, run(ps, convPool, pooled, training), training));
        p = p.broadcast(x.getShape());
        NDArray cat = NDArrays.concat(new NDList(a, b, p), 1);
        NDArray y = run(ps, bnProject, run(ps, project, cat, training), training);
        return classifier.forward(ps, new NDList(y), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return classifier.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        for (Block b : new Block[] {conv11, bn11, conv33, bn33, convPool, bnPool, bnProject}) {
            b.initialize(manager, dataType, in);
        }
        project.initialize(
                manager, dataType, new Shape(in.get(0), 3L * channels, in.get(2), in.get(3)));
        classifier.initialize(manager, dataType, in);
    }
}
