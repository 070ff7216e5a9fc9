package org.dpnas.nasfpn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ConvBnAct;
import org.dpnas.common.nn.backbone.Backbone;
import org.dpnas.common.nn.backbone.Backbones;

/**
 * RetinaNet (Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017, section 4) with its
 * feature pyramid given as a {@link PyramidGenotype}: a ResNet backbone's C3–C5 taps go through a
 * 1×1 conv-BN to the pyramid width, P6 and P7 are max-pooled from P5 (as tensorflow/tpu's NAS-FPN
 * builds the missing levels), the {@link PyramidNetwork} merges them, and one classification and
 * one box subnet (4 × conv3×3-ReLU, then a 3×3 conv; shared over levels and over stacks) run on
 * every output level. The classification bias starts at {@code −log((1 − π)/π)}, π = 0.01.
 *
 * <p>With {@code repeats > 1} every stack has its own exit ("anytime detection", NAS-FPN section
 * 3.3): {@code forward} returns, per exit, class logits (N, anchors, K) and box deltas (N, anchors,
 * 4), anchors in {@link org.dpnas.common.det.AnchorGenerator} order.
 */
public final class RetinaNet extends AbstractBlock implements CostAware {

    private static final String[] TAPS = {"layer2", "layer3", "layer4"};

    private final Backbone backbone;
    private final List<ConvBnAct> laterals = new ArrayList<>();
    private final PyramidNetwork pyramid;
    private final List<Conv2d> clsTower = new ArrayList<>();
    private final List<Conv2d> boxTower = new ArrayList<>();
    private final Conv2d clsOut;
    private final Conv2d boxOut;
    private final int numClasses;
    private final int anchors;
    private final int width;
    private final String arch;

    /**
     * Creates the detector.
     *
     * @param arch backbone name ({@code resnet10}, {@code resnet18}, {@code resnet50}, …)
     * @param genotype the pyramid (levels 3–7)
     * @param width pyramid and head width (RetinaNet: 256)
     * @param repeats pyramid stacks
     * @param attention global-attention variant ({@code tf} or {@code mmdet})
     * @param numClasses K, foreground classes
     * @param anchorsPerLocation A (9)
     * @param headConvs convolutions in each subnet before its output conv (RetinaNet: 4)
     */
    public RetinaNet(
            String arch,
            PyramidGenotype genotype,
            int width,
            int repeats,
            String attention,
            int numClasses,
            int anchorsPerLocation,
            int headConvs) {
        if (genotype.minLevel() != 3 || genotype.maxLevel() != 7) {
            throw new IllegalArgumentException(
                    "RetinaNet uses pyramid levels 3..7, the genotype has "
                            + genotype.minLevel()
                            + ".."
                            + genotype.maxLevel());
        }
        if (numClasses < 1 || anchorsPerLocation < 1 || headConvs < 0) {
            throw new IllegalArgumentException(
                    "RetinaNet needs >= 1 class, >= 1 anchor and >= 0 head convs");
        }
        this.numClasses = numClasses;
        this.anchors = anchorsPerLocation;
        this.width = width;
        this.arch = arch;
        backbone = addChildBlock("backbone", Backbones.create(arch, 32, 1f));
        for (int i = 0; i < TAPS.length; i++) {
            laterals.add(
                    addChildBlock("lateral" + (i + 3), new ConvBnAct(width, 1, 1, 1, 1, false)));
        }
        pyramid = addChildBlock("pyramid", new PyramidNetwork(genotype, width, repeats, attention));
        for (int i = 0; i < headConvs; i++) {
            clsTower.add(addChildBlock("cls" + i, conv(width)));
            boxTower.add(addChildBlock("box" + i, conv(width)));
        }
        clsOut = addChildBlock("cls_out", conv(anchorsPerLocation * numClasses));
        boxOut = addChildBlock("box_out", conv(anchorsPerLocation * 4));
    }

    private static Conv2d conv(int out) {
        Conv2d c =
                Conv2d.builder()
                        .setFilters(out)
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1))
                        .build();
        c.setInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
        return c;
    }

    /** The backbone, for loading safetensors weights. */
    public Backbone backbone() {
        return backbone;
    }

    /** The backbone's architecture name. */
    public String backboneName() {
        return arch;
    }

    /** The pyramid and head width. */
    public int width() {
        return width;
    }

    /** A, anchors per location. */
    public int anchorsPerLocation() {
        return anchors;
    }

    /** The pyramid network. */
    public PyramidNetwork pyramid() {
        return pyramid;
    }

    /** Number of exits (pyramid stacks). */
    public int exits() {
        return pyramid.repeats();
    }

    /** K. */
    public int numClasses() {
        return numClasses;
    }

    /**
     * Where forward time goes, in nanoseconds of this thread's CPU time (filled while set with
     * {@link #timed}).
     */
    public static final class Timing {
        /** Backbone. */
        public long backbone;

        /** Laterals, P6/P7 and the pyramid network. */
        public long pyramid;

        /** Class and box subnets with the reshapes to (N, anchors, ·). */
        public long heads;
    }

    private Timing timing;

    /** Records where the time of following forward passes goes ({@code null} stops). */
    public void timed(Timing t) {
        this.timing = t;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        boolean time = timing != null;
        long t0 = time ? DetectionStep.cpu() : 0;
        NDList taps = backbone.forward(ps, inputs, training);
        long t1 = time ? DetectionStep.cpu() : 0;
        NDList levels = new NDList();
        for (int i = 0; i < TAPS.length; i++) {
            NDArray c = taps.get(backbone.tapIndex(TAPS[i]));
            levels.add(laterals.get(i).forward(ps, new NDList(c), training).head());
        }
        NDArray p6 = down(levels.get(2));
        levels.add(p6);
        levels.add(down(p6));
        NDList pyr = pyramid.forward(ps, levels, training);
        long t2 = time ? DetectionStep.cpu() : 0;
        NDList out = new NDList();
        int l = 5;
        for (int e = 0; e < pyramid.repeats(); e++) {
            NDList cls = new NDList();
            NDList box = new NDList();
            for (int i = 0; i < l; i++) {
                NDArray f = pyr.get(e * l + i);
                cls.add(flatten(head(ps, clsTower, clsOut, f, training), numClasses));
                box.add(flatten(head(ps, boxTower, boxOut, f, training), 4));
            }
            out.add(NDArrays.concat(cls, 1));
            out.add(NDArrays.concat(box, 1));
        }
        if (time) {
            long t3 = DetectionStep.cpu();
            timing.backbone += t1 - t0;
            timing.pyramid += t2 - t1;
            timing.heads += t3 - t2;
        }
        return out;
    }

    private static NDArray down(NDArray x) {
        return Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), true);
    }

    private static NDArray head(
            ParameterStore ps, List<Conv2d> tower, Conv2d last, NDArray x, boolean training) {
        NDArray h = x;
        for (Conv2d c : tower) {
            h = Activation.relu(c.forward(ps, new NDList(h), training).head());
        }
        return last.forward(ps, new NDList(h), training).head();
    }

    private static NDArray flatten(NDArray x, int k) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1).reshape(s.get(0), -1, k);
    }

    /**
     * Counts the backbone, the laterals, the P6/P7 max-pools, the pyramid and the shared subnets
     * once per level and exit (their weights once), with their ReLUs.
     */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] taps = counter.count(backbone, inputShapes);
        Shape[] levels = new Shape[5];
        for (int i = 0; i < TAPS.length; i++) {
            levels[i] = counter.count(laterals.get(i), taps[backbone.tapIndex(TAPS[i])])[0];
        }
        for (int i = 3; i < 5; i++) {
            Shape p = levels[i - 1];
            levels[i] = new Shape(p.get(0), width, (p.get(2) + 1) / 2, (p.get(3) + 1) / 2);
            counter.pool(levels[i], 4);
        }
        Shape[] pyr = counter.count(pyramid, levels);
        for (Shape f : pyr) {
            for (List<Conv2d> tower : List.of(clsTower, boxTower)) {
                for (Conv2d c : tower) {
                    counter.count(c, f);
                    counter.elementwise(f);
                }
            }
            counter.count(clsOut, f);
            counter.count(boxOut, f);
        }
        return getOutputShapes(inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long n = 0;
        for (int lv = 3; lv <= 7; lv++) {
            n +=
                    (long) org.dpnas.common.det.AnchorGenerator.featureSize((int) in.get(2), lv)
                            * org.dpnas.common.det.AnchorGenerator.featureSize((int) in.get(3), lv)
                            * anchors;
        }
        Shape[] out = new Shape[2 * pyramid.repeats()];
        for (int e = 0; e < pyramid.repeats(); e++) {
            out[2 * e] = new Shape(in.get(0), n, numClasses);
            out[2 * e + 1] = new Shape(in.get(0), n, 4);
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        Shape[] taps = backbone.getOutputShapes(inputShapes);
        Shape[] levels = new Shape[5];
        for (int i = 0; i < TAPS.length; i++) {
            Shape t = taps[backbone.tapIndex(TAPS[i])];
            laterals.get(i).initialize(manager, dataType, t);
            levels[i] = new Shape(t.get(0), width, t.get(2), t.get(3));
        }
        for (int i = 3; i < 5; i++) {
            Shape p = levels[i - 1];
            levels[i] = new Shape(p.get(0), width, (p.get(2) + 1) / 2, (p.get(3) + 1) / 2);
        }
        pyramid.initialize(manager, dataType, levels);
        Shape f = levels[0];
        for (int i = 0; i < clsTower.size(); i++) {
            clsTower.get(i).initialize(manager, dataType, f);
            boxTower.get(i).initialize(manager, dataType, f);
        }
        clsOut.initialize(manager, dataType, f);
        boxOut.initialize(manager, dataType, f);
        float[] prior = new float[anchors * numClasses];
        Arrays.fill(prior, (float) -Math.log((1 - 0.01) / 0.01));
        clsOut.getParameters().get("bias").getArray().set(FloatBuffer.wrap(prior));
    }
}
