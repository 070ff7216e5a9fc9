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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 *
 * <p><b>How it runs.</b> All contextual cells of a decoder share one structure, and at the search's
 * sizes each is a few dozen engine calls on maps of a few pixels, so their cost is the calls, not
 * the arithmetic. The decoder therefore runs the cells that can run at the same time on maps of the
 * same size as one {@link ContextualCell} of grouped ops, and what follows them (the aggregation
 * 1×1 conv-BN-ReLUs, or the auxiliary classifiers) as one grouped convolution (their inputs stacked
 * along the channels, the outputs split back): a cell is ready at the depth of its input node (an
 * encoder output has depth 0, a decoder cell's node one more than its deeper input), and the
 * auxiliary cells, which nothing else reads, all run last, so that inference skips them. Encoder
 * outputs must come finest first (as the encoder emits them): the decoder tells sizes apart by that
 * order only, and checks at run time that the inputs it stacks have one shape. Encoder outputs no
 * cell reads keep their adapter's weights (the network the reference builds) but are not computed.
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

    /** One contextual cell: of decoder cell {@code conn}, on input A, B or the auxiliary one. */
    private record Member(int conn, int role, int node) {
        static final int A = 0;
        static final int B = 1;
        static final int AUX = 2;
    }

    /**
     * Contextual cells run as one, and what follows each of them, run as one too: the aggregation
     * 1×1 conv-BN-ReLU of a decoder cell's input, or an auxiliary cell's 3×3 classifier (a grouped
     * convolution either way, members' weights stacked).
     */
    private record Group(
            ContextualCell cell, Block follower, List<Member> members, boolean auxiliary) {}

    private final DecoderGenotype genotype;
    private final int[] encoderChannels;
    private final int aggSize;
    private final Aux auxMode;
    private final List<ConvBnAct> adapt = new ArrayList<>();
    private final boolean[] adapterRead;
    private final List<Group> groups = new ArrayList<>();
    private final int cellCount;
    private final List<Conv2d> auxHeads = new ArrayList<>();
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
        this(genotype, encoderChannels, aggSize, numClasses, auxMode, true);
    }

    /**
     * Creates the decoder, with its contextual cells run together where they can be ({@code
     * grouped}) or one by one (the same function and weights, one block per cell: the layout the
     * grouped one is tested against).
     */
    DecoderNet(
            DecoderGenotype genotype,
            int[] encoderChannels,
            int aggSize,
            int numClasses,
            Aux auxMode,
            boolean grouped) {
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
        int n = encoderChannels.length;
        adapterRead = new boolean[n];
        for (int i = 0; i < n; i++) {
            adapt.add(addChildBlock("adapt" + i, new ConvBnAct(aggSize, 1, 1, 1, 1, true)));
        }
        List<int[]> conns = genotype.connections();
        // rank: the finest encoder output a node's size comes from; depth: when it is ready
        int[] rank = new int[n + conns.size()];
        int[] depth = new int[n + conns.size()];
        for (int i = 0; i < n; i++) {
            rank[i] = i;
        }
        // key (depth, rank) -> members; auxiliary members keyed by rank alone, after all others
        Map<Long, List<Member>> main = new TreeMap<>();
        Map<Long, List<Member>> auxiliary = new TreeMap<>();
        for (int c = 0; c < conns.size(); c++) {
            int[] p = conns.get(c);
            for (int i : p) {
                if (i < n) {
                    adapterRead[i] = true;
                }
            }
            collect.remove(Integer.valueOf(p[0]));
            collect.remove(Integer.valueOf(p[1]));
            collect.add(n + c);
            int node = n + c;
            rank[node] = Math.min(rank[p[0]], rank[p[1]]);
            depth[node] = 1 + Math.max(depth[p[0]], depth[p[1]]);
            put(main, depth[p[0]], rank[p[0]], new Member(c, Member.A, p[0]), grouped);
            put(main, depth[p[1]], rank[p[1]], new Member(c, Member.B, p[1]), grouped);
            if (auxMode == Aux.CELLS) {
                put(auxiliary, 0, rank[node], new Member(c, Member.AUX, node), grouped);
            }
        }
        cellCount = conns.size();
        for (List<Member> ms : main.values()) {
            int k = ms.size();
            groups.add(group(ms, new ConvBnAct(aggSize * k, 1, 1, 1, k, true), false));
        }
        for (List<Member> ms : auxiliary.values()) {
            groups.add(group(ms, conv3x3(numClasses * ms.size(), ms.size()), true));
        }
        if (auxMode == Aux.HEADS) {
            for (int c = 0; c < conns.size(); c++) {
                auxHeads.add(addChildBlock("aux" + c + "clf", conv3x3(numClasses, 1)));
            }
        }
        preClassifier = addChildBlock("pre_clf", new ConvBnAct(aggSize, 1, 1, 1, 1, true));
        classifier = addChildBlock("clf", conv3x3(numClasses, 1));
    }

    private static void put(
            Map<Long, List<Member>> groups, int depth, int rank, Member m, boolean grouped) {
        // one group per member when not grouped, in the order they are made (cells read earlier
        // nodes only, so it is an order to run them in)
        long key = grouped ? ((long) depth << 32) | rank : groups.size();
        groups.computeIfAbsent(key, k -> new ArrayList<>()).add(m);
    }

    private Group group(List<Member> members, Block follower, boolean auxiliary) {
        int g = groups.size();
        ContextualCell cell =
                addChildBlock("cells" + g, new ContextualCell(genotype, aggSize, members.size()));
        addChildBlock((auxiliary ? "aux_clf" : "agg") + g, follower);
        return new Group(cell, follower, List.copyOf(members), auxiliary);
    }

    /**
     * Where the contextual cell of decoder cell {@code conn} on input {@code role} (0 the first, 1
     * the second, 2 the auxiliary cell) runs, with its follower (aggregation or auxiliary
     * classifier): the index of their group (blocks {@code cellsG} and {@code aggG} or {@code
     * aux_clfG}) and the cell's index among the group's members (its channels {@code [index·width,
     * (index+1)·width)}).
     */
    Map.Entry<Integer, Integer> cellOf(int conn, int role) {
        for (int g = 0; g < groups.size(); g++) {
            List<Member> ms = groups.get(g).members();
            for (int j = 0; j < ms.size(); j++) {
                if (ms.get(j).conn() == conn && ms.get(j).role() == role) {
                    return Map.entry(g, j);
                }
            }
        }
        throw new IllegalArgumentException("no contextual cell " + conn + "/" + role);
    }

    /** The number of blocks the contextual cells run in. */
    int cellBlocks() {
        return groups.size();
    }

    private static Conv2d conv3x3(int out, int groups) {
        return Conv2d.builder()
                .setFilters(out)
                .setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1))
                .optGroups(groups)
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
        int n = adapt.size();
        NDArray[] nodes = new NDArray[n + cellCount];
        for (int i = 0; i < n; i++) {
            if (adapterRead[i]) {
                nodes[i] = run(ps, adapt.get(i), inputs.get(i), training);
            }
        }
        NDArray[][] halves = new NDArray[cellCount][2];
        NDArray[] auxOut = new NDArray[cellCount];
        boolean auxOutputs = training && auxMode != Aux.NONE;
        for (Group g : groups) {
            if (g.auxiliary() && !auxOutputs) {
                continue;
            }
            List<Member> ms = g.members();
            NDList outs = runGroup(ps, g, nodes, training);
            for (int j = 0; j < ms.size(); j++) {
                Member m = ms.get(j);
                int c = m.conn();
                if (m.role() == Member.AUX) {
                    auxOut[c] = outs.get(j);
                    continue;
                }
                halves[c][m.role()] = outs.get(j);
                if (halves[c][0] != null && halves[c][1] != null) {
                    NDArray[] same = toLarger(halves[c][0], halves[c][1]);
                    nodes[n + c] = same[0].add(same[1]);
                    if (auxOutputs && auxMode == Aux.HEADS) {
                        auxOut[c] = run(ps, auxHeads.get(c), nodes[n + c], training);
                    }
                }
            }
        }
        NDArray largest = nodes[collect.get(0)];
        for (int i : collect) {
            if (area(nodes[i]) > area(largest)) {
                largest = nodes[i];
            }
        }
        NDList parts = new NDList();
        for (int i : collect) {
            parts.add(resizeTo(nodes[i], largest));
        }
        NDArray cat = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
        NDArray y = run(ps, preClassifier, Activation.relu(cat), training);
        NDList out = new NDList(run(ps, classifier, y, training));
        if (auxOutputs) {
            out.addAll(Arrays.asList(auxOut));
        }
        return out;
    }

    /** Runs a group's cells and followers on their input nodes; one output per member. */
    private static NDList runGroup(ParameterStore ps, Group g, NDArray[] nodes, boolean training) {
        List<Member> ms = g.members();
        if (ms.size() == 1) {
            NDArray y = run(ps, g.cell(), nodes[ms.get(0).node()], training);
            return new NDList(run(ps, g.follower(), y, training));
        }
        NDList in = new NDList(ms.size());
        for (Member m : ms) {
            NDArray x = nodes[m.node()];
            if (!in.isEmpty() && !x.getShape().equals(in.get(0).getShape())) {
                throw new IllegalArgumentException(
                        "decoder cells run together need inputs of one shape, got "
                                + in.get(0).getShape()
                                + " and "
                                + x.getShape()
                                + " (are the encoder outputs finest first?)");
            }
            in.add(x);
        }
        NDArray y = run(ps, g.cell(), NDArrays.concat(in, 1), training);
        return run(ps, g.follower(), y, training).split(ms.size(), 1);
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

    /**
     * The inference path: the adapters of the encoder outputs cells read, cells, resizes, sums,
     * concatenation and classifier (stacking cells' inputs and splitting their outputs is free).
     */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        int n = adapt.size();
        Shape[] nodes = new Shape[n + cellCount];
        for (int i = 0; i < n; i++) {
            if (adapterRead[i]) {
                nodes[i] = counter.count(adapt.get(i), inputShapes[i])[0];
            }
        }
        Shape[][] halves = new Shape[cellCount][2];
        for (Group g : groups) {
            if (g.auxiliary()) {
                continue;
            }
            Shape in = nodes[g.members().get(0).node()];
            Shape stacked =
                    new Shape(in.get(0), in.get(1) * g.members().size(), in.get(2), in.get(3));
            counter.count(g.follower(), counter.count(g.cell(), stacked));
            for (Member m : g.members()) {
                int c = m.conn();
                halves[c][m.role()] = in;
                if (halves[c][0] != null && halves[c][1] != null) {
                    Shape x1 = halves[c][0];
                    Shape x2 = halves[c][1];
                    Shape big = x1.get(2) * x1.get(3) >= x2.get(2) * x2.get(3) ? x1 : x2;
                    counter.bilinear(big == x1 ? x2 : x1, big);
                    counter.elementwise(big);
                    nodes[n + c] = big;
                }
            }
        }
        Shape largest = nodes[collect.get(0)];
        for (int i : collect) {
            Shape s = nodes[i];
            if (s.get(2) * s.get(3) > largest.get(2) * largest.get(3)) {
                largest = s;
            }
        }
        for (int i : collect) {
            Shape s = nodes[i];
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
        for (Group g : groups) {
            Shape stacked = new Shape(1, (long) aggSize * g.members().size(), 8, 8);
            g.cell().initialize(manager, dataType, stacked);
            g.follower().initialize(manager, dataType, stacked);
        }
        Shape agg = new Shape(1, aggSize, 8, 8);
        for (Conv2d c : auxHeads) {
            c.initialize(manager, dataType, agg);
        }
        preClassifier.initialize(
                manager, dataType, new Shape(1, (long) aggSize * collect.size(), 8, 8));
        classifier.initialize(manager, dataType, agg);
    }
}
