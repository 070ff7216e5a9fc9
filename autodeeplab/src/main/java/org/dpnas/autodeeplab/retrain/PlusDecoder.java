package org.dpnas.autodeeplab.retrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ConvBnAct;
import org.dpnas.common.nn.Resize;

/**
 * The DeepLabv3+ decoder the retrained Auto-DeepLab uses (Liu et al., CVPR 2019, Sec. 4.2, after
 * Chen et al., ECCV 2018, Sec. 3.1): low-level stride-4 features projected by a 1×1
 * convolution-BN-ReLU to 48 channels, concatenated with the ASPP output up-sampled bilinearly
 * ({@code align_corners=False}) to their size, two 3×3 convolution-BN-ReLU units of the ASPP width,
 * and a 1×1 classifier with bias. Inputs: (ASPP output, low-level features); output: logits at
 * stride 4. In training, dropout after each 3×3 unit (the reference's 0.5 and 0.1; 0 for none).
 *
 * <p>Cost: its four convolution units and the bilinear up-sampling of the ASPP output (4 per output
 * element, nothing when the sizes already agree); the concatenation is free.
 */
public final class PlusDecoder extends AbstractBlock implements CostAware {

    private final ConvBnAct low;
    private final ConvBnAct fuse1;
    private final ConvBnAct fuse2;
    private final Conv2d classifier;
    private final int width;
    private final int lowChannels;
    private final float dropout1;
    private final float dropout2;

    /**
     * Creates the decoder.
     *
     * @param width channels of the ASPP output and of the two 3×3 units (256 in DeepLabv3+)
     * @param lowChannels channels the low-level features are projected to (48)
     * @param numClasses classes
     */
    public PlusDecoder(int width, int lowChannels, int numClasses) {
        this(width, lowChannels, numClasses, 0f, 0f);
    }

    /**
     * Creates the decoder with dropout after its two 3×3 units (in training only).
     *
     * @param width channels of the ASPP output and of the two 3×3 units (256 in DeepLabv3+)
     * @param lowChannels channels the low-level features are projected to (48)
     * @param numClasses classes
     * @param dropout1 drop rate after the first 3×3 unit (reference 0.5)
     * @param dropout2 drop rate after the second (reference 0.1)
     */
    public PlusDecoder(int width, int lowChannels, int numClasses, float dropout1, float dropout2) {
        this.dropout1 = dropout1;
        this.dropout2 = dropout2;
        this.width = width;
        this.lowChannels = lowChannels;
        low = addChildBlock("low", new ConvBnAct(lowChannels, 1, 1, 1, 1, true));
        fuse1 = addChildBlock("fuse1", new ConvBnAct(width, 3, 1, 1, 1, true));
        fuse2 = addChildBlock("fuse2", new ConvBnAct(width, 3, 1, 1, 1, true));
        classifier =
                addChildBlock(
                        "classifier",
                        Conv2d.builder()
                                .setFilters(numClasses)
                                .setKernelShape(new Shape(1, 1))
                                .build());
    }

    /**
     * Weights: the 1×1 projection (C_low·48 + 2·48), two 3×3 units (9·(w + 48)·w + 2w, 9w² + 2w)
     * and the classifier (w·K + K).
     *
     * @param width w
     * @param lowChannels the projection width (48)
     * @param lowIn channels of the low-level features
     * @param numClasses K
     */
    public static long weightCount(long width, long lowChannels, long lowIn, long numClasses) {
        return lowIn * lowChannels
                + 2 * lowChannels
                + 9 * (width + lowChannels) * width
                + 2 * width
                + 9 * width * width
                + 2 * width
                + width * numClasses
                + numClasses;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray aspp = inputs.get(0);
        NDArray l = low.forward(ps, new NDList(inputs.get(1)), training).head();
        NDArray up = Resize.bilinear(aspp, l.getShape().get(2), l.getShape().get(3));
        NDList x = new NDList(NDArrays.concat(new NDList(up, l), 1));
        x = drop(fuse1.forward(ps, x, training), dropout1, training);
        x = drop(fuse2.forward(ps, x, training), dropout2, training);
        return classifier.forward(ps, x, training);
    }

    /** Native dropout (the rate is an argument of the op, not an operand array). */
    private static NDList drop(NDList x, float rate, boolean training) {
        if (!training || rate == 0f) {
            return x;
        }
        return Dropout.dropout(x.head(), rate, true);
    }

    /** Counts the decoder as it runs; inputs: (ASPP output, low-level features). */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape aspp = inputShapes[0];
        Shape l = counter.count(low, inputShapes[1])[0];
        counter.bilinear(aspp, new Shape(aspp.get(0), aspp.get(1), l.get(2), l.get(3)));
        Shape cat = new Shape(l.get(0), aspp.get(1) + l.get(1), l.get(2), l.get(3));
        Shape[] x = counter.count(fuse1, cat);
        x = counter.count(fuse2, x);
        return counter.count(classifier, x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[1];
        return classifier.getOutputShapes(
                new Shape[] {new Shape(s.get(0), width, s.get(2), s.get(3))});
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[1];
        low.initialize(manager, dataType, s);
        fuse1.initialize(
                manager, dataType, new Shape(s.get(0), width + lowChannels, s.get(2), s.get(3)));
        Shape w = new Shape(s.get(0), width, s.get(2), s.get(3));
        fuse2.initialize(manager, dataType, w);
        classifier.initialize(manager, dataType, w);
    }
}
