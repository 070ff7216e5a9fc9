package org.dpnas.common.nn;

import ai.djl.ndarray.NDArray;
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

/**
 * The suite's fixed baseline segmentation network, the yardstick searched architectures must beat
 * under the same budget: a two-convolution stem to 1/4, residual stages to output stride 8 (the
 * last one dilated), a light ASPP head (rates 2, 4, 6) and a 1×1 classifier whose logits are
 * bilinearly up-sampled to the input size. Width {@code w}: stem w/2 → w, stages w and 2w, head w.
 */
public final class BaselineSegNet extends AbstractBlock implements CostAware {

    private final AbstractBlock[] body;
    private final LightAspp head;
    private final Conv2d classifier;
    private final int numClasses;

    /**
     * Creates the network.
     *
     * @param numClasses number of output classes
     * @param width base width w (≥ 8)
     */
    public BaselineSegNet(int numClasses, int width) {
        if (numClasses < 2 || width < 8) {
            throw new IllegalArgumentException(
                    "baseline needs numClasses >= 2 and width >= 8, got "
                            + numClasses
                            + ", "
                            + width);
        }
        this.numClasses = numClasses;
        body =
                new AbstractBlock[] {
                    addChildBlock("stem1", ConvBnAct.of(width / 2, 3, 2)),
                    addChildBlock("stem2", ConvBnAct.of(width, 3, 2)),
                    addChildBlock("res1", new ResidualBlock(width, width, 1, 1)),
                    addChildBlock("res2", new ResidualBlock(width, 2 * width, 2, 1)),
                    addChildBlock("res3", new ResidualBlock(2 * width, 2 * width, 1, 2)),
                };
        head = addChildBlock("aspp", new LightAspp(width, 2, 4, 6));
        classifier =
                addChildBlock(
                        "classifier",
                        Conv2d.builder()
                                .setFilters(numClasses)
                                .setKernelShape(new Shape(1, 1))
                                .build());
        // He initialisation (fan-out, Gaussian), as torchvision's segmentation models
        setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2),
                Parameter.Type.WEIGHT);
    }

    /** Number of output classes. */
    public int numClasses() {
        return numClasses;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Shape in = inputs.head().getShape();
        NDList x = inputs;
        for (AbstractBlock b : body) {
            x = b.forward(ps, x, training);
        }
        x = head.forward(ps, x, training);
        NDArray logits = classifier.forward(ps, x, training).head();
        return new NDList(Resize.bilinear(logits, in.get(2), in.get(3)));
    }

    /** Counts the body, the head, the classifier and the final bilinear resize. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (AbstractBlock b : body) {
            s = counter.count(b, s);
        }
        s = counter.count(classifier, counter.count(head, s));
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
        Shape[] s = inputShapes;
        for (AbstractBlock b : body) {
            b.initialize(manager, dataType, s);
            s = b.getOutputShapes(s);
        }
        head.initialize(manager, dataType, s);
        s = head.getOutputShapes(s);
        classifier.initialize(manager, dataType, s);
    }
}
