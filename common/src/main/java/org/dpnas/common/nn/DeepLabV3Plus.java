package org.dpnas.common.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.backbone.Backbone;
import org.dpnas.common.nn.backbone.Backbones;
import org.dpnas.common.nn.backbone.MobileNetV2;

/**
 * DeepLabv3+ (Chen et al., https://arxiv.org/abs/1802.02611, §3 and Fig. 2), the hand-designed
 * network searched architectures are compared with: a {@link Backbone} at output stride 16 or 8,
 * ASPP on its deepest tap (256 channels, rates 6/12/18 at stride 16, doubled at 8, image pooling),
 * and the decoder: the ASPP output bilinearly up-sampled to the stride-4 low-level tap, which a 1×1
 * convolution reduces to 48 channels, concatenated, two 3×3 convolutions of 256, a 1×1 classifier,
 * and a bilinear up-sampling to the input size.
 *
 * <p>Low-level tap: {@code layer1} of a ResNet, {@code features.3} of MobileNet-v2 (both stride 4);
 * deepest tap: {@code layer4}, {@code features.17} (MobileNet-v2 is built without {@code
 * features.18}: the heads read the 320-channel map, Sandler et al. §6.3). The ASPP is {@link
 * LightAspp} (its pooling branch has a bias instead of a BatchNorm, so it trains at batch size 1).
 * A frozen backbone keeps its weights and runs its BatchNorm on the running statistics.
 */
public final class DeepLabV3Plus extends AbstractBlock implements CostAware {

    private final Backbone backbone;
    private final LightAspp aspp;
    private final ConvBnAct reduce;
    private final ConvBnAct fuse1;
    private final ConvBnAct fuse2;
    private final Conv2d classifier;
    private final int lowTap;
    private final int highTap;
    private final int numClasses;
    private boolean frozen;

    /**
     * Creates the network with a new backbone.
     *
     * @param arch the backbone, one of {@link Backbones#NAMES}
     * @param outputStride 8 or 16
     * @param numClasses number of classes, ≥ 2
     */
    public DeepLabV3Plus(String arch, int outputStride, int numClasses) {
        if (outputStride != 8 && outputStride != 16) {
            throw new IllegalArgumentException(
                    "DeepLabv3+ output stride must be 8 or 16, got " + outputStride);
        }
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        this.numClasses = numClasses;
        boolean mobile = arch.startsWith("mobilenet");
        backbone =
                addChildBlock(
                        "backbone",
                        mobile
                                ? new MobileNetV2(1f, outputStride, false)
                                : Backbones.create(arch, outputStride, 1f));
        lowTap = backbone.tapIndex(mobile ? "features.3" : "layer1");
        highTap = backbone.tapNames().size() - 1;
        int k = 16 / outputStride;
        aspp = addChildBlock("aspp", new LightAspp(256, 6 * k, 12 * k, 18 * k));
        reduce = addChildBlock("reduce", new ConvBnAct(48, 1, 1, 1, 1, true));
        fuse1 = addChildBlock("fuse1", ConvBnAct.of(256, 3, 1));
        fuse2 = addChildBlock("fuse2", ConvBnAct.of(256, 3, 1));
        classifier =
                addChildBlock(
                        "classifier",
                        Conv2d.builder()
                                .setFilters(numClasses)
                                .setKernelShape(new Shape(1, 1))
                                .build());
        setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2),
                Parameter.Type.WEIGHT);
    }

    /** The backbone (to load ImageNet weights into, or to give its own learning rate). */
    public Backbone backbone() {
        return backbone;
    }

    /** Number of output classes. */
    public int numClasses() {
        return numClasses;
    }

    /**
     * Freezes the backbone: its parameters stop requiring gradients and its BatchNorm runs on the
     * running statistics in training too. Call after initialisation.
     */
    public void freezeBackbone() {
        backbone.freezeParameters(true);
        frozen = true;
    }

    /** Whether the backbone is frozen. */
    public boolean backboneFrozen() {
        return frozen;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Shape in = inputs.head().getShape();
        NDList taps = backbone.forward(ps, inputs, training && !frozen);
        NDArray low = taps.get(lowTap);
        Shape ls = low.getShape();
        NDArray a = aspp.forward(ps, new NDList(taps.get(highTap)), training).head();
        a = Resize.bilinear(a, ls.get(2), ls.get(3));
        NDArray r = reduce.forward(ps, new NDList(low), training).head();
        NDList x = new NDList(NDArrays.concat(new NDList(a, r), 1));
        x = fuse2.forward(ps, fuse1.forward(ps, x, training), training);
        NDArray logits = classifier.forward(ps, x, training).head();
        return new NDList(Resize.bilinear(logits, in.get(2), in.get(3)));
    }

    /**
     * Counts the backbone, the ASPP, both up-samplings, the reduction, the two fusing convolutions
     * and the classifier (concatenation is free).
     */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] taps = counter.count(backbone, inputShapes);
        Shape low = taps[lowTap];
        Shape[] a = counter.count(aspp, taps[highTap]);
        Shape up = new Shape(low.get(0), a[0].get(1), low.get(2), low.get(3));
        counter.bilinear(a[0], up);
        Shape[] r = counter.count(reduce, low);
        Shape cat = new Shape(low.get(0), up.get(1) + r[0].get(1), low.get(2), low.get(3));
        Shape[] s = counter.count(classifier, counter.count(fuse2, counter.count(fuse1, cat)));
        Shape[] out = getOutputShapes(inputShapes);
        counter.bilinear(s[0], out[0]);
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), numClasses, s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        Shape[] taps = backbone.getOutputShapes(inputShapes);
        Shape low = taps[lowTap];
        aspp.initialize(manager, dataType, taps[highTap]);
        reduce.initialize(manager, dataType, low);
        Shape cat = new Shape(low.get(0), 256 + 48, low.get(2), low.get(3));
        fuse1.initialize(manager, dataType, cat);
        Shape mid = new Shape(low.get(0), 256, low.get(2), low.get(3));
        fuse2.initialize(manager, dataType, mid);
        classifier.initialize(manager, dataType, mid);
    }
}
