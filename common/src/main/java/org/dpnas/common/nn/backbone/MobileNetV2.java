package org.dpnas.common.nn.backbone;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dpnas.common.cost.CostCounter;

/**
 * torchvision's MobileNet-v2 without its {@code classifier} (Sandler et al.,
 * https://arxiv.org/abs/1801.04381, Table 2): {@code features.0} a 3×3/2 convolution to 32
 * channels, {@code features.1}…{@code features.17} {@link InvertedResidual}s in seven stages (t, c,
 * n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1), and
 * {@code features.18} a 1×1 convolution to 1280; every one of them is a tap, named as in
 * torchvision. A width multiplier scales every width with torchvision's {@code _make_divisible}
 * rounding to a multiple of 8 (the last width never shrinks below 1280).
 *
 * <p>Output stride 8 or 16 follows DeepLab's MobileNet-v2 (TF-slim {@code mobilenet_base}): once
 * the stride reached the output stride, each later layer runs at stride 1 with the current rate in
 * its depthwise convolution and multiplies the rate by its stride for the layers after it.
 */
public final class MobileNetV2 extends Backbone {

    private static final int[][] SETTING = {
        {1, 16, 1, 1},
        {6, 24, 2, 2},
        {6, 32, 3, 2},
        {6, 64, 4, 2},
        {6, 96, 3, 1},
        {6, 160, 3, 2},
        {6, 320, 1, 1}
    };

    private final IndexedSequence features;
    private final List<String> taps = new ArrayList<>();
    private final int[] channels;
    private final int[] strides;
    private final float widthMultiplier;
    private final boolean lastConv;

    /**
     * Creates the network.
     *
     * @param widthMultiplier width multiplier, &gt; 0 (1 for the standard network)
     * @param outputStride 8, 16 or 32
     */
    public MobileNetV2(float widthMultiplier, int outputStride) {
        this(widthMultiplier, outputStride, true);
    }

    /**
     * Creates the network, optionally without {@code features.18}: DeepLab heads read the
     * 320-channel second-to-last feature map (Sandler et al., §6.3), so the 1×1 convolution to 1280
     * is dropped and its tensors are skipped when loading.
     *
     * @param widthMultiplier width multiplier, &gt; 0 (1 for the standard network)
     * @param outputStride 8, 16 or 32
     * @param lastConv whether {@code features.18} is built
     */
    public MobileNetV2(float widthMultiplier, int outputStride, boolean lastConv) {
        super("mobilenet_v2", outputStride);
        this.lastConv = lastConv;
        if (!(widthMultiplier > 0f) || widthMultiplier > 10f) {
            throw new IllegalArgumentException(
                    "width multiplier must be in (0, 10], got " + widthMultiplier);
        }
        this.widthMultiplier = widthMultiplier;
        List<Block> layers = new ArrayList<>();
        List<Integer> ch = new ArrayList<>();
        List<Integer> st = new ArrayList<>();
        int in = makeDivisible(32 * (double) widthMultiplier);
        layers.add(new ConvNormAct(in, 3, 2, 1, 1, ConvNormAct.Act.RELU6));
        int current = 2;
        int rate = 1;
        ch.add(in);
        st.add(current);
        for (int[] row : SETTING) {
            int out = makeDivisible(row[1] * (double) widthMultiplier);
            for (int i = 0; i < row[2]; i++) {
                int stride = i == 0 ? row[3] : 1;
                int layerStride;
                int layerRate;
                if (current == outputStride) {
                    layerStride = 1;
                    layerRate = rate;
                    rate *= stride;
                } else {
                    layerStride = stride;
                    layerRate = 1;
                    current *= stride;
                }
                layers.add(new InvertedResidual(in, out, layerStride, layerRate, row[0]));
                in = out;
                ch.add(out);
                st.add(current);
            }
        }
        if (lastConv) {
            int last = makeDivisible(1280 * (double) Math.max(1f, widthMultiplier));
            layers.add(new ConvNormAct(last, 1, 1, 1, 1, ConvNormAct.Act.RELU6));
            ch.add(last);
            st.add(current);
        }
        features = addChildBlock("features", new IndexedSequence(layers));
        for (int i = 0; i < layers.size(); i++) {
            taps.add("features." + i);
        }
        channels = ch.stream().mapToInt(Integer::intValue).toArray();
        strides = st.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * torchvision's {@code _make_divisible(v, 8)}: the nearest multiple of 8, at least 8, and not
     * more than 10% below {@code v}.
     */
    public static int makeDivisible(double v) {
        int n = Math.max(8, (int) (v + 4) / 8 * 8);
        if (n < 0.9 * v) {
            n += 8;
        }
        return n;
    }

    /** Skips {@code features.18} too when it was not built. */
    @Override
    public Set<String> ignoredPrefixes() {
        if (lastConv) {
            return HEAD_PREFIXES;
        }
        Set<String> s = new HashSet<>(HEAD_PREFIXES);
        s.add("features.18.");
        return s;
    }

    /** The width multiplier. */
    public float widthMultiplier() {
        return widthMultiplier;
    }

    @Override
    public List<String> tapNames() {
        return Collections.unmodifiableList(taps);
    }

    @Override
    public int[] tapChannels() {
        return channels.clone();
    }

    @Override
    public int[] tapStrides() {
        return strides.clone();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList out = new NDList(taps.size());
        NDList x = inputs;
        for (Block b : features.blocks()) {
            x = b.forward(ps, x, training);
            out.add(x.head());
        }
        return out;
    }

    /** Counts the layers one after the other. */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] out = new Shape[taps.size()];
        Shape[] s = inputShapes;
        int i = 0;
        for (Block b : features.blocks()) {
            s = counter.count(b, s);
            out[i++] = s[0];
        }
        return out;
    }

    @Override
    protected Shape[] tapShapes(Shape input) {
        Shape[] out = new Shape[taps.size()];
        Shape[] s = {input};
        int i = 0;
        for (Block b : features.blocks()) {
            s = b.getOutputShapes(s);
            out[i++] = s[0];
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        features.initialize(manager, dataType, inputShapes);
    }
}
