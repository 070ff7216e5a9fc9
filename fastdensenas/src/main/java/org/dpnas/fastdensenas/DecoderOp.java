package org.dpnas.fastdensenas;

/**
 * The 11 candidate operations of a FastDenseNAS cell layer (Nekrasov et al., CVPR 2019, §3.1), in
 * the order of the reference's op table: the controller's op decision is an index into it.
 */
public enum DecoderOp {
    /** 1×1 convolution. */
    CONV1X1("conv1x1"),
    /** 3×3 convolution. */
    CONV3X3("conv3x3"),
    /** 3×3 separable convolution. */
    SEP3X3("sep_conv_3x3"),
    /** 5×5 separable convolution. */
    SEP5X5("sep_conv_5x5"),
    /** Global average pooling broadcast back to the input's size. */
    GAP("global_average_pool"),
    /** 3×3 convolution, dilation 3. */
    CONV3X3_DIL3("conv3x3_dil3"),
    /** 3×3 convolution, dilation 12. */
    CONV3X3_DIL12("conv3x3_dil12"),
    /** 3×3 separable convolution, dilation 3. */
    SEP3X3_DIL3("sep_conv_3x3_dil3"),
    /** 5×5 separable convolution, dilation 6. */
    SEP5X5_DIL6("sep_conv_5x5_dil6"),
    /** Identity. */
    SKIP("skip_connect"),
    /** Zero (the input is dropped). */
    NONE("none");

    private final String label;

    DecoderOp(String label) {
        this.label = label;
    }

    /** The name used in genotype files and pictures. */
    public String label() {
        return label;
    }

    /**
     * The op of a label.
     *
     * @throws IllegalArgumentException listing the labels when it is unknown
     */
    public static DecoderOp of(String label) {
        for (DecoderOp op : values()) {
            if (op.label.equals(label)) {
                return op;
            }
        }
        StringBuilder known = new StringBuilder();
        for (DecoderOp op : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(op.label);
        }
        throw new IllegalArgumentException(
                "unknown decoder op '" + label + "' (known: " + known + ")");
    }
}
