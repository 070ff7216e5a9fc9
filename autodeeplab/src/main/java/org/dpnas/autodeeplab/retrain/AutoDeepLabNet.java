package org.dpnas.autodeeplab.retrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.autodeeplab.NetworkSpace;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ConvBnAct;
import org.dpnas.common.nn.LightAspp;
import org.dpnas.common.nn.Resize;

/**
 * The fixed Auto-DeepLab network that is retrained from scratch after the search (Liu et al., CVPR
 * 2019, Sec. 4.2 and Fig. 1): a three-convolution stem to stride 4, one {@link FixedCell} per layer
 * at the level the genotype's network path gives it, an ASPP on the last cell and a DeepLabv3+
 * decoder ({@link PlusDecoder}) whose logits are up-sampled to the input size.
 *
 * <p><b>Stem.</b> Three 3×3 convolution-BN-ReLU units of stride 2, 1, 2 to 64, 64 and 128 channels
 * (paper §5 and the reference; {@link Settings#paper}) or to the supernet's widths ⌊F/2⌋·B, ⌊F/2⌋·B
 * and F·B ({@link Settings#of}). As in the paper's Fig. 1 and the reference retraining model, the
 * stride-2 output of the second unit is H^{−2} and the stride-4 output is H^{−1}, so every cell,
 * the first included, has two inputs.
 *
 * <p><b>Cells.</b> The cell of layer l sits at level s_l (stride 4·2^{s_l}) on C = F·2^{s_l}
 * channels and outputs B·C; H^{l−1} and H^{l−2} are brought to its level by stride-2 convolutions
 * when they are finer and by bilinear up-sampling when they are coarser (see {@link FixedCell}).
 * Level sizes are ⌈size/2⌉ per level from the stem output, as in the supernet, so any input size
 * works; a stride-2 3×3 convolution with padding 1 produces exactly that size.
 *
 * <p><b>Head.</b> An ASPP ({@link LightAspp}: 1×1, three dilated 3×3 and image-pooling branches of
 * {@code asppChannels}, projected by 1×1) on the last cell, with the reference's rates 6/12/18 at
 * any stride ({@link Settings#paper}) or DeepLabv3's rates for output stride 16 scaled to the last
 * level's stride: {@code (96, 192, 288) / stride}, i.e. 6/12/18 at stride 16, 12/24/36 at 8, 3/6/9
 * at 32 and 24/48/72 at 4 (the reference port uses 6/12/18 at every stride). The decoder's
 * low-level features are the last stride-4 output before the path first leaves level 0 — the output
 * of layer 2 on the paper's path, as in the reference, or the stem when layer 0 already goes down —
 * projected to {@code lowLevelChannels}. All up-sampling is bilinear with PyTorch's {@code
 * align_corners=False} (common's {@link Resize#bilinear}, exact for up-sampling on this engine);
 * the reference port uses {@code align_corners=True}. The network never down-samples by
 * interpolation.
 *
 * <p>Convolution weights are He-normal (fan-in) initialised, BN scale 1 and shift 0, biases 0.
 *
 * <p>It is {@link CostAware}: {@link CostCounter#of} counts every op its forward pass runs — stem,
 * cells (see {@link FixedCell#countCost}), ASPP, decoder and the final bilinear up-sampling —
 * without warnings, and without initialising it.
 */
public final class AutoDeepLabNet extends AbstractBlock implements CostAware {

    /**
     * The retraining sizes.
     *
     * @param numClasses output classes
     * @param filterMultiplier F, channels of a block at stride 4 (20 for Auto-DeepLab-S)
     * @param blockMultiplier B, the number of last blocks a cell concatenates (the genotype's block
     *     count in the paper)
     * @param asppChannels width of the ASPP branches and of the decoder (256 in DeepLabv3+)
     * @param lowLevelChannels width of the projected low-level features (48 in DeepLabv3+)
     */
    public record Settings(
            int numClasses,
            int filterMultiplier,
            int blockMultiplier,
            int asppChannels,
            int lowLevelChannels,
            boolean referenceStem,
            float dropout1,
            float dropout2,
            boolean scaledAsppRates) {

        /** The reference's stem widths (paper §5): 64, 64, 128. */
        public static final int[] REFERENCE_STEM = {64, 64, 128};

        /** Validates the sizes. */
        public Settings {
            if (numClasses < 1
                    || filterMultiplier < 2
                    || blockMultiplier < 1
                    || asppChannels < 1
                    || lowLevelChannels < 1) {
                throw new IllegalArgumentException(
                        "retrain settings need numClasses >= 1, filterMultiplier >= 2 and positive"
                                + " blockMultiplier, asppChannels, lowLevelChannels; got "
                                + numClasses
                                + ", "
                                + filterMultiplier
                                + ", "
                                + blockMultiplier
                                + ", "
                                + asppChannels
                                + ", "
                                + lowLevelChannels);
            }
            if (!(dropout1 >= 0f && dropout1 < 1f && dropout2 >= 0f && dropout2 < 1f)) {
                throw new IllegalArgumentException(
                        "decoder dropout rates must be in [0, 1), got "
                                + dropout1
                                + ", "
                                + dropout2);
            }
        }

        /**
         * Sizes with the supernet-width stem (⌊F/2⌋·B, ⌊F/2⌋·B, F·B), no decoder dropout and
         * stride-scaled ASPP rates.
         */
        public Settings(
                int numClasses,
                int filterMultiplier,
                int blockMultiplier,
                int asppChannels,
                int lowLevelChannels) {
            this(
                    numClasses,
                    filterMultiplier,
                    blockMultiplier,
                    asppChannels,
                    lowLevelChannels,
                    false,
                    0f,
                    0f,
                    true);
        }

        /**
         * The genotype's F and block count, ASPP and decoder 256 wide, 48 low-level channels, the
         * supernet-width stem, no dropout, stride-scaled rates (see {@link #paper} for the paper's
         * retraining settings).
         */
        public static Settings of(AutoDeepLabGenotype genotype, int numClasses) {
            return new Settings(
                    numClasses, genotype.filterMultiplier(), genotype.blocks(), 256, 48);
        }

        /**
         * The paper's retraining network (Sec. 5, Table 2) as the reference builds it: preset
         * {@code S}, {@code M} or {@code L} (F = 20, 32, 48), the genotype's blocks, the 64/64/128
         * stem, decoder dropout 0.5 and 0.1, ASPP rates 6/12/18 at any stride.
         *
         * @param preset S, M or L
         */
        public static Settings paper(String preset, AutoDeepLabGenotype genotype, int numClasses) {
            return new Settings(
                    numClasses,
                    presetFilterMultiplier(preset),
                    genotype.blocks(),
                    256,
                    48,
                    true,
                    0.5f,
                    0.1f,
                    false);
        }

        /** F of a preset: S 20, M 32, L 48. */
        public static int presetFilterMultiplier(String preset) {
            return switch (preset) {
                case "S" -> 20;
                case "M" -> 32;
                case "L" -> 48;
                default ->
                        throw new IllegalArgumentException(
                                "model.preset must be S, M or L, got '" + preset + "'");
            };
        }

        /** These settings with another filter multiplier F. */
        public Settings withFilterMultiplier(int f) {
            return new Settings(
                    numClasses,
                    f,
                    blockMultiplier,
                    asppChannels,
                    lowLevelChannels,
                    referenceStem,
                    dropout1,
                    dropout2,
                    scaledAsppRates);
        }

        /** These settings with another block multiplier B. */
        public Settings withBlockMultiplier(int b) {
            return new Settings(
                    numClasses,
                    filterMultiplier,
                    b,
                    asppChannels,
                    lowLevelChannels,
                    referenceStem,
                    dropout1,
                    dropout2,
                    scaledAsppRates);
        }

        /** These settings with other ASPP/decoder and low-level widths. */
        public Settings withWidths(int aspp, int lowLevel) {
            return new Settings(
                    numClasses,
                    filterMultiplier,
                    blockMultiplier,
                    aspp,
                    lowLevel,
                    referenceStem,
                    dropout1,
                    dropout2,
                    scaledAsppRates);
        }

        /** These settings with another stem, dropout and ASPP-rate choice. */
        public Settings withHead(
                boolean referenceStem, float dropout1, float dropout2, boolean scaledAsppRates) {
            return new Settings(
                    numClasses,
                    filterMultiplier,
                    blockMultiplier,
                    asppChannels,
                    lowLevelChannels,
                    referenceStem,
                    dropout1,
                    dropout2,
                    scaledAsppRates);
        }

        /** The three stem widths. */
        int[] stemWidths() {
            if (referenceStem) {
                return REFERENCE_STEM.clone();
            }
            int half = filterMultiplier / 2 * blockMultiplier;
            return new int[] {half, half, filterMultiplier * blockMultiplier};
        }
    }

    private final AutoDeepLabGenotype genotype;
    private final Settings settings;
    private final ConvBnAct[] stem = new ConvBnAct[3];
    private final FixedCell[] cells;
    private final LightAspp aspp;
    private final PlusDecoder decoder;
    private final int lowLayer;

    /**
     * Builds the network.
     *
     * @param genotype the searched cell and network path
     * @param settings the retraining sizes
     * @throws IllegalArgumentException when the block multiplier exceeds the cell's blocks
     */
    public AutoDeepLabNet(AutoDeepLabGenotype genotype, Settings settings) {
        if (settings.blockMultiplier() > genotype.blocks()) {
            throw new IllegalArgumentException(
                    "block multiplier "
                            + settings.blockMultiplier()
                            + " exceeds the genotype's "
                            + genotype.blocks()
                            + " blocks");
        }
        this.genotype = genotype;
        this.settings = settings;
        int[] sw = settings.stemWidths();
        stem[0] = addChildBlock("stem0", ConvBnAct.of(sw[0], 3, 2));
        stem[1] = addChildBlock("stem1", ConvBnAct.of(sw[1], 3, 1));
        stem[2] = addChildBlock("stem2", ConvBnAct.of(sw[2], 3, 2));
        int layers = genotype.layers();
        cells = new FixedCell[layers];
        for (int l = 0; l < layers; l++) {
            int s = level(genotype, l);
            cells[l] =
                    addChildBlock(
                            "cell" + l,
                            new FixedCell(
                                    genotype.cell(),
                                    settings.blockMultiplier(),
                                    settings.filterMultiplier() << s,
                                    channels(genotype, settings, l - 2),
                                    s - level(genotype, l - 2),
                                    channels(genotype, settings, l - 1),
                                    s - level(genotype, l - 1)));
        }
        lowLayer = lowLevelLayer(genotype);
        aspp =
                addChildBlock(
                        "aspp",
                        new LightAspp(
                                settings.asppChannels(),
                                settings.scaledAsppRates()
                                        ? asppRates(lastLevel())
                                        : new int[] {6, 12, 18}));
        decoder =
                addChildBlock(
                        "decoder",
                        new PlusDecoder(
                                settings.asppChannels(),
                                settings.lowLevelChannels(),
                                settings.numClasses(),
                                settings.dropout1(),
                                settings.dropout2()));
        // kaiming_normal_ (fan-in, gain √2) for every convolution, as the reference
        setInitializer(
                new XavierInitializer(
                        XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2),
                Parameter.Type.WEIGHT);
    }

    private static int stemHalf(Settings s) {
        return s.stemWidths()[1];
    }

    private static int stemOut(Settings s) {
        return s.stemWidths()[2];
    }

    /** Level of layer l: the path for l ≥ 0, 0 for the stem output (−1), −1 (stride 2) for −2. */
    static int level(AutoDeepLabGenotype g, int layer) {
        if (layer < -2) {
            throw new IllegalArgumentException("no layer " + layer);
        }
        return layer >= 0 ? g.networkPath().get(layer) : layer + 1;
    }

    /** Channels of the output of layer l (stem: ⌊F/2⌋·B at −2, F·B at −1; cells B·F·2^s). */
    static int channels(AutoDeepLabGenotype g, Settings s, int layer) {
        if (layer == -2) {
            return stemHalf(s);
        }
        if (layer == -1) {
            return stemOut(s);
        }
        return s.blockMultiplier() * (s.filterMultiplier() << level(g, layer));
    }

    /**
     * The layer whose output feeds the decoder as low-level features: the last layer of the path's
     * leading run at level 0, or −1 (the stem) when layer 0 already goes down.
     */
    public static int lowLevelLayer(AutoDeepLabGenotype g) {
        int low = -1;
        for (int l = 0; l < g.layers() && g.networkPath().get(l) == 0; l++) {
            low = l;
        }
        return low;
    }

    /** The ASPP dilation rates at a level: (96, 192, 288) / stride, 6/12/18 at stride 16. */
    public static int[] asppRates(int level) {
        int stride = NetworkSpace.stride(level);
        return new int[] {96 / stride, 192 / stride, 288 / stride};
    }

    private int lastLevel() {
        return level(genotype, genotype.layers() - 1);
    }

    /**
     * The network's trainable weight count, counted analytically (no arrays): convolution weights
     * and biases and the scale and shift of every BN; BN running statistics are not weights.
     */
    public static long weightCount(AutoDeepLabGenotype g, Settings s) {
        int[] sw = s.stemWidths();
        long n =
                27L * sw[0]
                        + 2 * sw[0]
                        + 9L * sw[0] * sw[1]
                        + 2 * sw[1]
                        + 9L * sw[1] * sw[2]
                        + 2 * sw[2];
        for (int l = 0; l < g.layers(); l++) {
            int lev = level(g, l);
            n +=
                    FixedCell.weightCount(
                            g.cell(),
                            s.blockMultiplier(),
                            s.filterMultiplier() << lev,
                            channels(g, s, l - 2),
                            lev - level(g, l - 2),
                            channels(g, s, l - 1),
                            lev - level(g, l - 1));
        }
        long in = channels(g, s, g.layers() - 1);
        long a = s.asppChannels();
        // 1×1 branch, three 3×3 branches, pooling 1×1 with bias (no BN), 1×1 projection of 5a
        n += in * a + 2 * a + 3 * (9 * in * a + 2 * a) + in * a + a + 5 * a * a + 2 * a;
        n +=
                PlusDecoder.weightCount(
                        a, s.lowLevelChannels(), channels(g, s, lowLevelLayer(g)), s.numClasses());
        return n;
    }

    /** The genotype the network was built from. */
    public AutoDeepLabGenotype genotype() {
        return genotype;
    }

    /** The retraining sizes. */
    public Settings settings() {
        return settings;
    }

    /** Number of trainable scalar weights of the initialised network. */
    public long countWeights() {
        long n = 0;
        for (var p : getParameters()) {
            if (p.getValue().requiresGradient()) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    /** Sizes of levels −1..3 (index = level + 1) from the stem's two outputs. */
    private static long[] levelSizes(long half, long stride4) {
        long[] out = new long[NetworkSpace.LEVELS + 1];
        out[0] = half;
        out[1] = stride4;
        for (int i = 2; i < out.length; i++) {
            out[i] = (out[i - 1] + 1) / 2;
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        Shape in = x.getShape();
        if (in.dimension() != 4 || in.get(1) != 3) {
            throw new IllegalArgumentException(
                    "Auto-DeepLab expects images (N, 3, H, W), got " + in);
        }
        NDArray s2 = stem[1].forward(ps, stem[0].forward(ps, inputs, training), training).head();
        NDArray s4 = stem[2].forward(ps, new NDList(s2), training).head();
        long[] hs = levelSizes(s2.getShape().get(2), s4.getShape().get(2));
        long[] ws = levelSizes(s2.getShape().get(3), s4.getShape().get(3));
        NDArray prevPrev = s2;
        NDArray prev = s4;
        NDArray low = lowLayer < 0 ? s4 : null;
        for (int l = 0; l < cells.length; l++) {
            int s = level(genotype, l);
            NDArray y = cells[l].apply(ps, prevPrev, prev, hs[s + 1], ws[s + 1], training);
            prevPrev = prev;
            prev = y;
            if (l == lowLayer) {
                low = y;
            }
        }
        NDArray high = aspp.forward(ps, new NDList(prev), training).head();
        NDArray logits = decoder.forward(ps, new NDList(high, low), training).head();
        return new NDList(Resize.bilinear(logits, in.get(2), in.get(3)));
    }

    /** Counts the forward pass for an (N, 3, H, W) input; see the class comment. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.dimension() != 4 || in.get(1) != 3) {
            throw new IllegalArgumentException(
                    "Auto-DeepLab expects images (N, 3, H, W), got " + in);
        }
        Shape[] s2 = counter.count(stem[1], counter.count(stem[0], inputShapes));
        Shape[] s4 = counter.count(stem[2], s2);
        long[] hs = levelSizes(s2[0].get(2), s4[0].get(2));
        long[] ws = levelSizes(s2[0].get(3), s4[0].get(3));
        Shape prevPrev = s2[0];
        Shape prev = s4[0];
        Shape low = lowLayer < 0 ? s4[0] : null;
        for (int l = 0; l < cells.length; l++) {
            int s = level(genotype, l);
            Shape size = new Shape(in.get(0), 1, hs[s + 1], ws[s + 1]);
            Shape y = counter.count(cells[l], prevPrev, prev, size)[0];
            prevPrev = prev;
            prev = y;
            if (l == lowLayer) {
                low = y;
            }
        }
        Shape high = counter.count(aspp, prev)[0];
        Shape logits = counter.count(decoder, high, low)[0];
        Shape[] out = getOutputShapes(inputShapes);
        counter.bilinear(logits, out[0]);
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), settings.numClasses(), s.get(2), s.get(3))};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = {new Shape(1, 3, 16, 16)};
        for (ConvBnAct c : stem) {
            c.initialize(manager, dataType, s);
            s = c.getOutputShapes(s);
        }
        for (FixedCell c : cells) {
            c.initialize(manager, dataType, new Shape(1, 1, 4, 4), new Shape(1, 1, 4, 4));
        }
        int last = cells.length - 1;
        aspp.initialize(manager, dataType, new Shape(1, channels(genotype, settings, last), 4, 4));
        decoder.initialize(
                manager,
                dataType,
                new Shape(1, settings.asppChannels(), 4, 4),
                new Shape(1, channels(genotype, settings, lowLayer), 8, 8));
    }
}
