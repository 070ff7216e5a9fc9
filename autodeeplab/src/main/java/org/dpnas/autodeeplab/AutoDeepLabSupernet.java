package org.dpnas.autodeeplab;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.autodeeplab.nn.AlignCornersResize;
import org.dpnas.autodeeplab.nn.FusedCell;
import org.dpnas.autodeeplab.nn.SearchAspp;
import org.dpnas.autodeeplab.nn.SearchCell;
import org.dpnas.autodeeplab.nn.Stem;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.search.Supernet;

/**
 * The Auto-DeepLab search supernet (Liu et al., CVPR 2019, Sec. 3 and 4.1): a stem to stride 4, L
 * layers of search cells over 4 levels joined by the network-level weights β, and an ASPP head per
 * level whose logits are up-sampled to the input size and summed.
 *
 * <p>The node at layer l, level s is (Eq. 6) {@code H^l_s = Σ_k β̂[l][s'_k][k] ·
 * Cell(H^{l−1}_{s'_k}, H^{l−2}_s; α)} over the neighbours s'_k ∈ {s+1 (UP), s (SAME), s−1 (DOWN)}
 * that exist, where {@code β̂[l][s'] = softmax} of β[l][s'] over the choices valid at level s' (no
 * UP at level 0, no DOWN at level 3), times 2/3 at those two-choice levels with the reference's
 * {@link BetaNormalisation} (the default), and {@code α̂ = softmax(α)} per edge; each softmax is
 * taken once per forward pass. Resampling between levels is bilinear with {@code
 * align_corners=True}, as in the reference.
 *
 * <p>The architecture parameters α (edges × ops) and β (L × 4 × 3) are kept apart from the weights
 * ({@link #archParameters()}, {@link #weightParameters()}) so that a bilevel search steps them with
 * separate optimizers. Every array a forward pass creates — including softmax(α) and the β weights
 * — lives in the input's manager.
 */
public final class AutoDeepLabSupernet extends AbstractBlock
        implements Supernet<AutoDeepLabGenotype> {

    private static final float MASKED = -1e9f;

    private final SupernetConfig config;
    private final SupernetImpl impl;
    private final List<OpSpec> ops;
    private final Stem stem;
    private final Block[][] cells;
    private final SearchAspp[] heads;
    private final Parameter alphas;
    private final Parameter betas;

    /**
     * The supernet's size without building it.
     *
     * @param weights trainable weights (every parameter except α and β; BN running statistics are
     *     buffers, not weights)
     * @param alphas entries of α (edges × ops)
     * @param betas entries of β (L × 4 × 3, as the reference stores them, some unused)
     * @param cells number of cells
     */
    public record Size(long weights, long alphas, long betas, int cells) {}

    /**
     * Creates the supernet over the DARTS op table, with the fused cell evaluation ({@link
     * SupernetImpl#FUSED}).
     *
     * @param config the sizes
     */
    public AutoDeepLabSupernet(SupernetConfig config) {
        this(config, OpSpec.darts(), SupernetImpl.FUSED);
    }

    /**
     * Creates the supernet over the DARTS op table with a chosen implementation.
     *
     * @param config the sizes
     * @param impl how cells are evaluated (same function and weight count either way)
     */
    public AutoDeepLabSupernet(SupernetConfig config, SupernetImpl impl) {
        this(config, OpSpec.darts(), impl);
    }

    /**
     * Creates the supernet over a given op list: fused for the DARTS op table, plain otherwise.
     *
     * @param config the sizes
     * @param ops the candidate ops of every edge, in the order of α's columns
     */
    public AutoDeepLabSupernet(SupernetConfig config, List<OpSpec> ops) {
        this(
                config,
                ops,
                ops.size() == OpSpec.darts().size() && ops.containsAll(OpSpec.darts())
                        ? SupernetImpl.FUSED
                        : SupernetImpl.PLAIN);
    }

    /**
     * Creates the supernet over a given op list with a chosen implementation.
     *
     * @param config the sizes
     * @param ops the candidate ops of every edge, in the order of α's columns
     * @param impl how cells are evaluated; {@link SupernetImpl#FUSED} needs the DARTS op table
     */
    public AutoDeepLabSupernet(SupernetConfig config, List<OpSpec> ops, SupernetImpl impl) {
        this.impl = impl;
        this.config = config;
        this.ops = List.copyOf(ops);
        int b = config.blocks();
        stem =
                addChildBlock(
                        "stem", new Stem(config.filterMultiplier() / 2 * b, config.cellOutput(0)));
        int layers = config.layers();
        boolean downConv = config.down() == DownTransition.CONV;
        cells = new Block[layers][NetworkSpace.LEVELS];
        for (int l = 0; l < layers; l++) {
            for (int s = 0; s < NetworkSpace.LEVELS; s++) {
                if (NetworkSpace.exists(l, s)) {
                    int[] w = wiring(config, l, s);
                    int[] in = {w[1], w[2], w[3]};
                    Block cell =
                            impl == SupernetImpl.FUSED
                                    ? new FusedCell(
                                            b, config.channels(s), w[0], in, this.ops, downConv)
                                    : new SearchCell(
                                            b, config.channels(s), w[0], in, this.ops, downConv);
                    cells[l][s] = addChildBlock("cell_" + l + "_" + s, cell);
                }
            }
        }
        heads = new SearchAspp[NetworkSpace.LEVELS];
        for (int s = 0; s < NetworkSpace.LEVELS; s++) {
            if (NetworkSpace.exists(layers - 1, s)) {
                heads[s] =
                        addChildBlock(
                                "aspp_" + s,
                                new SearchAspp(
                                        config.cellOutput(s),
                                        config.numClasses(),
                                        96 / NetworkSpace.stride(s)));
            }
        }
        alphas =
                addParameter(
                        Parameter.builder()
                                .setName("alphas")
                                .setType(Parameter.Type.OTHER)
                                .optShape(new Shape(config.edges(), this.ops.size()))
                                .optInitializer(new NormalInitializer(1e-3f))
                                .build());
        betas =
                addParameter(
                        Parameter.builder()
                                .setName("betas")
                                .setType(Parameter.Type.OTHER)
                                .optShape(new Shape(layers, NetworkSpace.LEVELS, 3))
                                .optInitializer(new NormalInitializer(1e-3f))
                                .build());
        // kaiming_normal_ (fan-in, gain √2) for every convolution, as the reference
        setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2),
                Parameter.Type.WEIGHT);
    }

    /**
     * Channels of the inputs of cell (l, s): H^{l−2}, then H^{l−1} from the UP, SAME and DOWN
     * neighbours (0 where absent).
     */
    static int[] wiring(SupernetConfig c, int layer, int level) {
        int[] w = new int[4];
        if (NetworkSpace.exists(layer - 2, level)) {
            w[0] = c.cellOutput(level);
        }
        for (int k = 0; k < 3; k++) {
            int src = level + 1 - k;
            if (NetworkSpace.exists(layer - 1, src) && NetworkSpace.valid(src, k)) {
                w[1 + k] = c.cellOutput(src);
            }
        }
        return w;
    }

    /** The size of the supernet for {@code config}, counted analytically (no arrays). */
    public static Size dryRun(SupernetConfig config) {
        return dryRun(config, OpSpec.darts());
    }

    /** The size of the supernet for {@code config} over {@code ops}, counted analytically. */
    public static Size dryRun(SupernetConfig config, List<OpSpec> ops) {
        int b = config.blocks();
        long n = Stem.weightCount(config.filterMultiplier() / 2 * b, config.cellOutput(0));
        int layers = config.layers();
        for (int l = 0; l < layers; l++) {
            for (int s = 0; s < NetworkSpace.LEVELS; s++) {
                if (NetworkSpace.exists(l, s)) {
                    int[] w = wiring(config, l, s);
                    n +=
                            SearchCell.weightCount(
                                    b,
                                    config.channels(s),
                                    w[0],
                                    new int[] {w[1], w[2], w[3]},
                                    ops,
                                    config.down() == DownTransition.CONV);
                }
            }
        }
        for (int s = 0; s < NetworkSpace.LEVELS; s++) {
            if (NetworkSpace.exists(layers - 1, s)) {
                n += SearchAspp.weightCount(config.cellOutput(s), config.numClasses());
            }
        }
        return new Size(
                n,
                (long) config.edges() * ops.size(),
                (long) layers * NetworkSpace.LEVELS * 3,
                NetworkSpace.cells(layers));
    }

    /** The sizes. */
    public SupernetConfig config() {
        return config;
    }

    /** How the cells are evaluated. */
    public SupernetImpl impl() {
        return impl;
    }

    /** The candidate ops, in the order of α's columns. */
    public List<OpSpec> ops() {
        return ops;
    }

    /** α, the cell architecture parameters (edges × ops). */
    public Parameter alphas() {
        return alphas;
    }

    /** β, the network architecture parameters (L × 4 × 3; [l][s'][UP, SAME, DOWN]). */
    public Parameter betas() {
        return betas;
    }

    /** The architecture parameters [α, β]. */
    @Override
    public List<Parameter> archParameters() {
        return List.of(alphas, betas);
    }

    /** The genotype decoded from the current α and β (top-2 cell, Viterbi path). */
    @Override
    public AutoDeepLabGenotype derive() {
        return Decoder.decode(this);
    }

    /** Every trainable parameter except α and β, in a stable order. */
    @Override
    public List<Parameter> weightParameters() {
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : getParameters()) {
            Parameter v = p.getValue();
            if (v != alphas && v != betas && v.requiresGradient()) {
                out.add(v);
            }
        }
        return out;
    }

    /** Number of scalar weights (initialised supernet), to compare with {@link #dryRun}. */
    public long countWeights() {
        long n = 0;
        for (Parameter p : weightParameters()) {
            n += p.getArray().size();
        }
        return n;
    }

    /**
     * Copies every parameter and running statistic of {@code other} (same config, either
     * implementation) into this supernet, so both compute the same function; a plain supernet's
     * state maps onto a fused one's (see {@link FusedCell#copyFrom}), the reverse is not offered.
     *
     * @param other an initialised supernet of the same config
     */
    public void copyFrom(AutoDeepLabSupernet other) {
        if (!other.config.equals(config) || !other.ops.equals(ops)) {
            throw new IllegalArgumentException("supernets differ in size or op table");
        }
        if (impl == SupernetImpl.PLAIN && other.impl == SupernetImpl.FUSED) {
            throw new IllegalArgumentException("copying a fused supernet into a plain one");
        }
        copyAll(other.stem, stem);
        for (int s = 0; s < heads.length; s++) {
            if (heads[s] != null) {
                copyAll(other.heads[s], heads[s]);
            }
        }
        other.alphas.getArray().copyTo(alphas.getArray());
        other.betas.getArray().copyTo(betas.getArray());
        for (int l = 0; l < cells.length; l++) {
            for (int s = 0; s < NetworkSpace.LEVELS; s++) {
                Block to = cells[l][s];
                Block from = other.cells[l][s];
                if (to instanceof FusedCell f && from instanceof SearchCell c) {
                    f.copyFrom(c);
                } else if (to != null) {
                    copyAll(from, to);
                }
            }
        }
    }

    private static void copyAll(Block from, Block to) {
        PairList<String, Parameter> a = from.getParameters();
        PairList<String, Parameter> b = to.getParameters();
        if (a.size() != b.size()) {
            throw new IllegalStateException("blocks differ in parameters");
        }
        for (int i = 0; i < a.size(); i++) {
            a.valueAt(i).getArray().copyTo(b.valueAt(i).getArray());
        }
    }

    /** Output sizes of levels 0..3 for a stem output of {@code size}: ⌈size / 2^s⌉. */
    static long[] levelSizes(long size) {
        long[] out = new long[NetworkSpace.LEVELS];
        out[0] = size;
        for (int s = 1; s < out.length; s++) {
            out[s] = (out[s - 1] + 1) / 2;
        }
        return out;
    }

    /** The additive mask that removes invalid β choices before the softmax (L × 4 × 3). */
    static float[] betaMask(int layers) {
        float[] m = new float[layers * NetworkSpace.LEVELS * 3];
        for (int l = 0; l < layers; l++) {
            for (int s = 0; s < NetworkSpace.LEVELS; s++) {
                for (int k = 0; k < 3; k++) {
                    if (!NetworkSpace.valid(s, k)) {
                        m[(l * NetworkSpace.LEVELS + s) * 3 + k] = MASKED;
                    }
                }
            }
        }
        return m;
    }

    /**
     * The weights of every node's choices from raw β (L × 4 × 3), in {@code sm}: the softmax over
     * the valid choices, times {@link BetaNormalisation#scale} of the node's level (the same
     * numbers as {@link Decoder#transitions(float[][][], BetaNormalisation)}).
     */
    NDArray betaWeights(NDArray rawBeta, NDManager sm, DataType type) {
        int layers = config.layers();
        Shape shape = new Shape(layers, NetworkSpace.LEVELS, 3);
        NDArray hat =
                sm.create(betaMask(layers), shape).toType(type, false).add(rawBeta).softmax(2);
        if (config.betaNormalisation() == BetaNormalisation.SOFTMAX) {
            return hat;
        }
        double[] scale = new double[layers * NetworkSpace.LEVELS * 3];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = config.betaNormalisation().scale(i / 3 % NetworkSpace.LEVELS);
        }
        // a constant array in the step's manager, never a Java number on a differentiated path
        return hat.mul(sm.create(scale, shape).toType(type, false));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != 3) {
            throw new IllegalArgumentException(
                    "Auto-DeepLab expects images (N, 3, H, W), got " + x.getShape());
        }
        NDManager sm = x.getManager();
        Device device = x.getDevice();
        int layers = config.layers();
        // the architecture weights, each softmax taken once per pass, in the input's manager
        NDArray alphaHat = ps.getValue(alphas, device, training).softmax(1);
        alphaHat.attach(sm);
        NDArray[] rows = null;
        NDArray[] mixing = null;
        if (impl == SupernetImpl.FUSED) {
            mixing = FusedCell.mixing(alphaHat, config.blocks(), ops);
        } else {
            rows = new NDArray[config.edges()];
            for (int e = 0; e < rows.length; e++) {
                rows[e] = alphaHat.get(e);
            }
        }
        NDArray betaHat = betaWeights(ps.getValue(betas, device, training), sm, x.getDataType());

        NDArray h0 = stem.forward(ps, inputs, training).head();
        long[] hs = levelSizes(h0.getShape().get(2));
        long[] ws = levelSizes(h0.getShape().get(3));
        NDArray[] prevPrev = new NDArray[NetworkSpace.LEVELS];
        NDArray[] prev = new NDArray[NetworkSpace.LEVELS];
        prev[0] = h0;
        for (int l = 0; l < layers; l++) {
            NDArray[] cur = new NDArray[NetworkSpace.LEVELS];
            for (int s = 0; s < NetworkSpace.LEVELS; s++) {
                Block cell = cells[l][s];
                if (cell == null) {
                    continue;
                }
                // the node's intermediates (resized inputs, the cell's evaluations, the β-weighted
                // terms) are closed once the node is summed: autograd keeps what backward reads
                try (NDScope scope = new NDScope()) {
                    cur[s] =
                            node(
                                    ps, cell, l, s, prev, prevPrev, hs, ws, betaHat, rows, mixing,
                                    training);
                    NDScope.unregister(cur[s]);
                }
            }
            for (NDArray a : prevPrev) {
                if (a != null) {
                    a.close();
                }
            }
            prevPrev = prev;
            prev = cur;
        }
        long height = x.getShape().get(2);
        long width = x.getShape().get(3);
        NDArray logits = null;
        for (int s = 0; s < NetworkSpace.LEVELS; s++) {
            if (heads[s] != null) {
                NDArray y = heads[s].forward(ps, new NDList(prev[s]), training).head();
                y = AlignCornersResize.resize(y, height, width);
                logits = logits == null ? y : logits.add(y);
            }
        }
        return new NDList(logits);
    }

    /** The node (l, s): its cell evaluated per neighbour, weighted by β̂ and summed (Eq. 6). */
    private NDArray node(
            ParameterStore ps,
            Block cell,
            int l,
            int s,
            NDArray[] prev,
            NDArray[] prevPrev,
            long[] hs,
            long[] ws,
            NDArray betaHat,
            NDArray[] rows,
            NDArray[] mixing,
            boolean training) {
        FusedCell fused = cell instanceof FusedCell f ? f : null;
        SearchCell plain = cell instanceof SearchCell c ? c : null;
        NDArray[] s1 = new NDArray[3];
        for (int k = 0; k < 3; k++) {
            int src = s + 1 - k;
            if (NetworkSpace.exists(l - 1, src) && NetworkSpace.valid(src, k)) {
                boolean conv = k == NetworkSpace.DOWN && config.down() == DownTransition.CONV;
                // the paper's DOWN: the cell's stride-2 convolution reduces the input
                s1[k] = conv ? prev[src] : AlignCornersResize.resize(prev[src], hs[s], ws[s]);
            }
        }
        boolean hasPrevPrev = fused != null ? fused.hasPrevPrev() : plain.hasPrevPrev();
        NDArray s0 = hasPrevPrev ? prevPrev[s] : null;
        NDArray[] outs =
                fused != null
                        ? fused.apply(ps, s0, s1, mixing, training)
                        : plain.apply(ps, s0, s1, rows, training);
        NDArray node = null;
        for (int k = 0; k < 3; k++) {
            if (outs[k] != null) {
                NDArray y = outs[k].mul(betaHat.get(l, s + 1 - k, k));
                node = node == null ? y : node.add(y);
            }
        }
        return node;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), config.numClasses(), s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        stem.initialize(manager, dataType, new Shape(1, 3, 16, 16));
        for (Block[] layer : cells) {
            for (Block c : layer) {
                if (c != null) {
                    c.initialize(manager, dataType, new Shape(1, 1, 4, 4));
                }
            }
        }
        for (int s = 0; s < heads.length; s++) {
            if (heads[s] != null) {
                heads[s].initialize(manager, dataType, new Shape(1, config.cellOutput(s), 4, 4));
            }
        }
    }
}
