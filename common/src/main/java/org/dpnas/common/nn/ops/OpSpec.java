package org.dpnas.common.nn.ops;

import ai.djl.nn.Block;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The DARTS candidate operations (Liu et al., ICLR 2019, Sec. 3.1; reused by Auto-DeepLab, CVPR
 * 2019, Sec. 3.1), in the order of the reference {@code PRIMITIVES} list, with a factory that
 * builds each one for a channel count and a stride.
 *
 * <p>Separable convolution = (ReLU, depthwise k×k, pointwise 1×1, BN) twice, the stride on the
 * first depthwise convolution; dilated convolution = ReLU, depthwise k×k at rate 2, pointwise 1×1,
 * BN; pooling keeps the spatial size at stride 1 and averages over valid taps only ({@code
 * count_include_pad=False}); skip at stride 2 is a factorized reduction.
 */
public enum OpSpec {
    /** The zero operation: no connection. */
    NONE("none", 0, 1),
    /** 3×3 max pooling. */
    MAX_POOL_3X3("max_pool_3x3", 3, 1),
    /** 3×3 average pooling over valid taps. */
    AVG_POOL_3X3("avg_pool_3x3", 3, 1),
    /** Identity (a factorized reduction at stride 2). */
    SKIP_CONNECT("skip_connect", 1, 1),
    /** 3×3 separable convolution, applied twice. */
    SEP_CONV_3X3("sep_conv_3x3", 3, 1),
    /** 5×5 separable convolution, applied twice. */
    SEP_CONV_5X5("sep_conv_5x5", 5, 1),
    /** 3×3 depthwise convolution at rate 2, then pointwise. */
    DIL_CONV_3X3("dil_conv_3x3", 3, 2),
    /** 5×5 depthwise convolution at rate 2, then pointwise. */
    DIL_CONV_5X5("dil_conv_5x5", 5, 2);

    private static final List<OpSpec> ALL = List.of(values());

    private final String opName;
    private final int kernel;
    private final int dilation;

    OpSpec(String opName, int kernel, int dilation) {
        this.opName = opName;
        this.kernel = kernel;
        this.dilation = dilation;
    }

    /** The DARTS op list in reference order (index = column of the architecture matrix α). */
    public static List<OpSpec> darts() {
        return ALL;
    }

    /** The name used in genotype files, e.g. {@code sep_conv_3x3}. */
    public String opName() {
        return opName;
    }

    /** Kernel size (0 for {@link #NONE}). */
    public int kernel() {
        return kernel;
    }

    /** Dilation rate of the convolution (1 for non-dilated ops). */
    public int dilation() {
        return dilation;
    }

    /** Whether the op is a pooling operation (DARTS follows these with a BN during search). */
    public boolean isPooling() {
        return this == MAX_POOL_3X3 || this == AVG_POOL_3X3;
    }

    /**
     * Looks an op up by its genotype name.
     *
     * @throws IllegalArgumentException naming the valid names when {@code name} is unknown
     */
    public static OpSpec fromName(String name) {
        for (OpSpec op : ALL) {
            if (op.opName.equals(name)) {
                return op;
            }
        }
        throw new IllegalArgumentException(
                "unknown op '"
                        + name
                        + "', expected one of "
                        + Arrays.stream(values()).map(OpSpec::opName).toList());
    }

    /**
     * Number of trainable weights of the op on {@code channels} channels, the analytic count a
     * supernet's dry run uses (a learnable BN adds 2C).
     *
     * @param channels channel count C (input = output)
     * @param stride 1 or 2
     * @param affine whether BN has a learnable scale and shift
     */
    public long weightCount(int channels, int stride, boolean affine) {
        long c = channels;
        long bn = affine ? 2 * c : 0;
        long k2 = (long) kernel * kernel;
        return switch (this) {
            case NONE, MAX_POOL_3X3, AVG_POOL_3X3 -> 0;
            case SKIP_CONNECT -> stride == 1 ? 0 : c * (c / 2) * 2 + bn;
            case SEP_CONV_3X3, SEP_CONV_5X5 -> 2 * (c * k2 + c * c + bn);
            case DIL_CONV_3X3, DIL_CONV_5X5 -> c * k2 + c * c + bn;
        };
    }

    /**
     * Builds the op.
     *
     * @param channels input and output channels C
     * @param stride 1, or 2 for a reduction edge
     * @param affine whether BatchNorm has a learnable scale and shift (false during search, as in
     *     DARTS and the Auto-DeepLab reference)
     * @return a block mapping (N, C, H, W) to (N, C, H/stride, W/stride)
     */
    public Block create(int channels, int stride, boolean affine) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        if (stride != 1 && stride != 2) {
            throw new IllegalArgumentException("stride must be 1 or 2, got " + stride);
        }
        return switch (this) {
            case NONE -> new Zero(stride);
            case MAX_POOL_3X3 -> new Pool3x3(Pool3x3.Kind.MAX, stride);
            case AVG_POOL_3X3 -> new Pool3x3(Pool3x3.Kind.AVG, stride);
            case SKIP_CONNECT ->
                    stride == 1 ? new Identity() : new FactorizedReduce(channels, channels, affine);
            case SEP_CONV_3X3, SEP_CONV_5X5 -> new SepConv(channels, kernel, stride, affine);
            case DIL_CONV_3X3, DIL_CONV_5X5 ->
                    new DilConv(channels, kernel, stride, dilation, affine);
        };
    }

    @Override
    public String toString() {
        return opName.toLowerCase(Locale.ROOT);
    }
}
