package org.dpnas.fbnet;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The sizes of an FBNet encoder (Wu et al., CVPR 2019, Table 1, the macro-architecture): a 3×3
 * stride-2 stem of 16 channels, then seven stages of searchable layers with (channels, layers,
 * stride) = (16, 1, 1), (24, 4, 2), (32, 4, 2), (64, 4, 2), (112, 4, 1), (184, 4, 2), (352, 1, 1);
 * the channels scaled by {@code width} (rounded to a multiple of 8, as MobileNet does) and the
 * layers per stage given by {@code depths}. The classification tail (1×1 conv of 1504, pooling, fc)
 * is replaced by the segmentation head (a light ASPP and a 1×1 classifier). Where a stage's stride
 * would take the encoder past {@code outputStride} (16 or 32), it keeps the resolution and dilates
 * its depthwise convolutions instead (DeepLab's atrous encoder).
 *
 * @param numClasses output classes
 * @param width channel multiplier
 * @param depths layers per stage, seven values ≥ 1 (the paper: 1, 4, 4, 4, 4, 4, 1)
 * @param outputStride 16 or 32
 * @param headChannels channels of the ASPP head
 * @param asppRates dilation rates of the ASPP's 3×3 branches
 */
public record FbnetSizes(
        int numClasses,
        double width,
        List<Integer> depths,
        int outputStride,
        int headChannels,
        List<Integer> asppRates) {

    /** Table 1's stage channels. */
    public static final int[] CHANNELS = {16, 24, 32, 64, 112, 184, 352};

    /** Table 1's stage strides. */
    public static final int[] STRIDES = {1, 2, 2, 2, 1, 2, 1};

    /** Table 1's layers per stage. */
    public static final List<Integer> PAPER_DEPTHS = List.of(1, 4, 4, 4, 4, 4, 1);

    /** The stem's channels before the width multiplier. */
    public static final int STEM = 16;

    /**
     * One searchable layer.
     *
     * @param in input channels
     * @param out output channels
     * @param stride stride of its depthwise convolution (or skip projection)
     * @param dilation dilation of its depthwise convolution
     * @param inputStride the encoder's stride at its input
     */
    public record Layer(int in, int out, int stride, int dilation, int inputStride) {

        /** Whether input and output shapes agree (skip is then the identity). */
        public boolean keepsShape() {
            return stride == 1 && in == out;
        }
    }

    /** Validates the sizes, naming the configuration key that is wrong. */
    public FbnetSizes {
        if (numClasses < 2) {
            throw new IllegalArgumentException("space.num_classes must be >= 2, got " + numClasses);
        }
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException("space.width must be > 0, got " + width);
        }
        if (depths == null || depths.size() != CHANNELS.length) {
            throw new IllegalArgumentException(
                    "space.depths must list "
                            + CHANNELS.length
                            + " stages (Table 1 of the paper: "
                            + PAPER_DEPTHS
                            + "), got "
                            + depths);
        }
        for (Integer d : depths) {
            if (d == null || d < 1) {
                throw new IllegalArgumentException(
                        "space.depths: every stage needs >= 1 layer, got " + depths);
            }
        }
        depths = List.copyOf(depths);
        if (outputStride != 16 && outputStride != 32) {
            throw new IllegalArgumentException(
                    "space.output_stride must be 16 or 32, got " + outputStride);
        }
        if (headChannels < 1) {
            throw new IllegalArgumentException(
                    "space.head_channels must be >= 1, got " + headChannels);
        }
        for (Integer r : asppRates) {
            if (r == null || r < 1) {
                throw new IllegalArgumentException(
                        "space.aspp_rates: rates must be >= 1, got " + asppRates);
            }
        }
        asppRates = List.copyOf(asppRates);
    }

    /** MobileNet's channel rounding: the nearest multiple of 8, at least 8, never 10 % below. */
    public static int round(double channels) {
        int r = Math.max(8, (int) (channels + 4) / 8 * 8);
        return r < 0.9 * channels ? r + 8 : r;
    }

    /** The stem's output channels. */
    public int stemChannels() {
        return round(STEM * width);
    }

    /** The searchable layers in order. */
    public List<Layer> layers() {
        List<Layer> out = new ArrayList<>();
        int in = stemChannels();
        int stride = 2;
        int dilation = 1;
        for (int s = 0; s < CHANNELS.length; s++) {
            int c = round(CHANNELS[s] * width);
            for (int i = 0; i < depths.get(s); i++) {
                int st = i == 0 ? STRIDES[s] : 1;
                int at = stride;
                if (st > 1 && stride * st > outputStride) {
                    dilation *= st;
                    st = 1;
                }
                out.add(new Layer(in, c, st, dilation, at));
                stride *= st;
                in = c;
            }
        }
        return out;
    }

    /** The number of searchable layers, Σ depths. */
    public int layerCount() {
        int n = 0;
        for (int d : depths) {
            n += d;
        }
        return n;
    }

    /** The encoder's output channels. */
    public int encoderChannels() {
        return round(CHANNELS[CHANNELS.length - 1] * width);
    }

    /**
     * The input shape of layer {@code l} for a batch-1 image of {@code h × w} (each stride-s
     * convolution here maps n pixels to ⌈n / s⌉).
     */
    public Shape layerInput(int l, long h, long w) {
        Layer layer = layers().get(l);
        long s = layer.inputStride();
        return new Shape(1, layer.in(), (h + s - 1) / s, (w + s - 1) / s);
    }
}
