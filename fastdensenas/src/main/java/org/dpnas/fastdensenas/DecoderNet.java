package org.dpnas.fastdensenas;

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
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ConvBnAct;
import org.dpnas.common.nn.Resize;

/**
 * A FastDenseNAS decoder (Nekrasov et al., CVPR 2019, §3.1–3.2) over a list of encoder outputs:
 * each output is brought to {@code aggSize} channels by a 1×1 conv-BN-ReLU; each decoder cell runs
 * the searched {@link ContextualCell} on its two chosen nodes (its own weights per input), passes
 * each through a 1×1 conv-BN-ReLU, resizes the smaller to the larger and sums; the cells no later
 * cell reads are resized to the largest, concatenated, and classified (ReLU, 1×1 conv-BN-ReLU, 3×3
 * convolution). With auxiliary cells, each decoder cell also feeds an auxiliary segmenter (another
 * contextual cell with the same structure and its own weights, then a 3×3 classifier) whose logits
 * follow the main logits in the output during training (§3.2, loss weight 0.15 in the search).
 */
public final class DecoderNet extends AbstractBlock implements CostAware {

    /** What follows each decoder cell during training. */
    public enum Aux {
        /** Nothing: the network of a retraining or of inference. */
        NONE,
        /** A 3×3 classifier on the cell's output. */
        HEADS,
        /**
         * An auxiliary contextual cell (the searched structure, its own weights), then a 3×3
         * classifier.
         */
        CELLS
    }

    private final DecoderGenotype genotype;
    private final int[] encoderChannels;
    private final int aggSize;
    private final Aux auxMode;
    private final List<ConvBnAct> adapt = new ArrayList<>();
    private final List<Block[]> cells = new ArrayList<>();
    private final List<Block[]> aux = new ArrayList<>();
    private final List<Integer> collect = new ArrayList<>();
    private final ConvBnAct preClassifier;
    private final Conv2d classifier;

    /**
     * Creates the decoder.
     *
     * @param genotype the architecture
     * @param encoderChannels channels of each encoder output, finest first as the encoder emits
     * @param aggSize the width of every cell (48 by default)
     * @param numClasses output classes
     * @param auxCells whether to build the auxiliary segmenters (else plain auxiliary heads)
     */
    public DecoderNet(
            DecoderGenotype genotype,
            int[] encoderChannels,
            int aggSize,
            int numClasses,
            boolean auxCells) {
        this(genotype, encoderChannels, aggSize, numClasses, auxCells ? Aux.CELLS : Aux.HEADS);
    }

    /**
     * Creates the decoder.
     *
     * @param genotype the architecture
     * @param encoderChannels channels of each encoder output, finest first as the encoder emits
     * @param aggSize the width of every cell (48 by default)
     * @param numClasses output classes
     * @param auxMode what follows each decoder cell in training ({@link Aux#NONE}: no auxiliary
     *     output at all)
     */
    public DecoderNet(
            DecoderGenotype genotype,
            int[] encoderChannels,
            int aggSize,
            int numClasses,
            Aux auxMode) {
        if (encoderChannels.length != genotype.encoderOutputs()) {
            throw new IllegalArgumentException(
                    "the genotype reads "
                            + genotype.encoderOutputs()
                            + " encoder outputs but the encoder gives "
                            + encoderChannels.length);
        }
        if (aggSize < 1 || numClasses < 1) {
            throw new IllegalArgumentException(
                    "agg_size and classes must be >= 1, got " + aggSize + ", " + numClasses);
        }
        this.genotype = genotype;
        this.encoderChannels = encoderChannels.clone();
        this.aggSize = aggSize;
        this.auxMode = auxMode;
        for (int i = 0; i < encoderChannels.length; i++) {
            adapt.add(addChildBlock("adapt" + i, new ConvBnAct(aggSize, 1, 1, 1, 1, true)));
        }
        int n = encoderChannels.length;
        for (int c = 0; c < genotype.connections().size(); c++) {
            int[] p = genotype.connections().get(c);
            collect.remove(Integer.valueOf(p[0]));
            collect.remove(Integer.valueOf(p[1]));
            cells.add(
                    new Block[] {
                        addChildBlock("cell" + c + "a", new ContextualCell(genotype, aggSize)),
                        addChildBlock("cell" + c + "b", new ContextualCell(genotype, aggSize)),
                        addChildBlock("agg" + c + "a", new ConvBnAct(aggSize, 1, 1, 1, 1, true)),
                        addChildBlock("agg" + c + "b", new ConvBnAct(aggSize, 1, 1, 1, 1, true))
                    });
            if (auxMode == Aux.CELLS) {
                Block cell =
                        addChildBlock("aux" + c + "cell", new ContextualCell(genotype, aggSize));
                aux.add(new Block[] {cell, addChildBlock("aux" + c + "clf", conv3x3(numClasses))});
            } else if (auxMode == Aux.HEADS) {
                aux.add(new Block[] {addChildBlock("aux" + c + "clf", conv3x3(numClasses))});
            }
            collect.add(n + c);
        }
        preClassifier = addChildBlock("pre_clf", new ConvBnAct(aggSize, 1, 1, 1, 1, true));
        classifier = addChildBlock("clf", conv3x3(numClasses));
    }

    private static Conv2d conv3x3(int out) {
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .optBias(true)
                .build();
    }

    /** The decoder cells whose outputs are concatenated (node numbers). */
    public List<Integer> collectedNodes() {
        return List.copyOf(collect);
    }

    /** What follows each decoder cell in training. */
    public Aux auxMode() {
        return auxMode;
    }

    /** The width of every cell. */
    public int aggSize() {
        return aggSize;
    }

    /** The genotype. */
    public DecoderGenotype genotype() {
        return genotype;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (inputs.size() != adapt.size()) {
            throw new IllegalArgumentException(
                    "decoder expects " + adapt.size() + " encoder outputs, got " + inputs.size());
        }
        List<NDArray> nodes = new ArrayList<>();
        for (int i = 0; i < adapt.size(); i++) {
            nodes.add(run(ps, adapt.get(i), inputs.get(i), training));
        }
        List<NDArray> auxOut = new ArrayList<>();
        for (int c = 0; c < cells.size(); c++) {
            int[] p = genotype.connections().get(c);
            Block[] b = cells.get(c);
            NDArray x1 = run(ps, b[2], run(ps, b[0], nodes.get(p[0]), training), training);
            NDArray x2 = run(ps, b[3], run(ps, b[1], nodes.get(p[1]), training), training);
            NDArray[] same = toLarger(x1, x2);
            NDArray out = same[0].add(same[1]);
            nodes.add(out);
            if (training && !aux.isEmpty()) {
                NDArray a = out;
                for (Block blk : aux.get(c)) {
                    a = run(ps, blk, a, training);
                }
                auxOut.add(a);
            }
        }
        NDArray largest = nodes.get(collect.get(0));
        for (int i : collect) {
            if (area(nodes.get(i)) > area(largest)) {
                largest = nodes.get(i);
            }
        }
        NDList parts = new NDList();
        for (int i : collect) {
            parts.add(resizeTo(nodes.get(i), largest));
        }
        NDArray cat = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
        NDArray y = run(ps, preClassifier, Activation.relu(cat), training);
        NDList out = new NDList(run(ps, classifier, y, training));
        out.addAll(auxOut);
        return out;
    }

    private static NDArray run(ParameterStore ps, Block b, NDArray x, boolean training) {
        return b.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    private static long area(NDArray x) {
        return x.getShape().get(2) * x.getShape().get(3);
    }

    private static NDArray resizeTo(NDArray x, NDArray like) {
        Shape s = x.getShape();
        Shape t = like.getShape();
        if (s.get(2) == t.get(2) && s.get(3) == t.get(3)) {
            return x;
        }
        return Resize.bilinear(x, t.get(2), t.get(3));
    }

    private static NDArray[] toLarger(NDArray a, NDArray b) {
        return area(a) >= area(b)
                ? new NDArray[] {a, resizeTo(b, a)}
                : new NDArray[] {resizeTo(a, b), b};
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), -1, -1, -1)};
    }

    /** The inference path: adapters, cells, resizes, sums, concatenation and classifier. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        List<Shape> nodes = new ArrayList<>();
        for (int i = 0; i < adapt.size(); i++) {
            nodes.add(counter.count(adapt.get(i), inputShapes[i])[0]);
        }
        for (int c = 0; c < cells.size(); c++) {
            int[] p = genotype.connections().get(c);
            Block[] b = cells.get(c);
            Shape x1 = counter.count(b[2], counter.count(b[0], nodes.get(p[0])))[0];
            Shape x2 = counter.count(b[3], counter.count(b[1], nodes.get(p[1])))[0];
            Shape big = x1.get(2) * x1.get(3) >= x2.get(2) * x2.get(3) ? x1 : x2;
            counter.bilinear(big == x1 ? x2 : x1, big);
            counter.elementwise(big);
            nodes.add(big);
        }
        Shape largest = nodes.get(collect.get(0));
        for (int i : collect) {
            Shape s = nodes.get(i);
            if (s.get(2) * s.get(3) > largest.get(2) * largest.get(3)) {
                largest = s;
            }
        }
        for (int i : collect) {
            Shape s = nodes.get(i);
            counter.bilinear(s, new Shape(s.get(0), s.get(1), largest.get(2), largest.get(3)));
        }
        Shape cat =
                new Shape(
                        largest.get(0),
                        (long) aggSize * collect.size(),
                        largest.get(2),
                        largest.get(3));
        counter.elementwise(cat); // ReLU
        Shape y = counter.count(preClassifier, cat)[0];
        return counter.count(classifier, y);
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (int i = 0; i < adapt.size(); i++) {
            adapt.get(i).initialize(manager, dataType, new Shape(1, encoderChannels[i], 8, 8));
        }
        Shape agg = new Shape(1, aggSize, 8, 8);
        for (Block[] b : cells) {
            for (Block x : b) {
                x.initialize(manager, dataType, agg);
            }
        }
        for (Block[] b : aux) {
            for (Block x : b) {
                x.initialize(manager, dataType, agg);
            }
        }
        preClassifier.initialize(
                manager, dataType, new Shape(1, (long) aggSize * collect.size(), 8, 8));
        classifier.initialize(manager, dataType, agg);
    }
}
