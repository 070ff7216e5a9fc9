package org.dpnas.common.cost;

/**
 * The op types a {@link CostCounter} breaks its counts down by, with the multiply-add (MAC)
 * convention of each.
 *
 * <p>The convention follows fvcore and ptflops: one MAC is one multiply-accumulate of a convolution
 * or linear layer, bias additions are not counted (their parameters are); the cheaper ops are
 * counted as one operation per element they touch, so that their share is visible but they can be
 * left out by summing {@link #CONV} and {@link #LINEAR} only.
 */
public enum OpType {
    /** Convolution: {@code MACs = N·Cout·Hout·Wout·(Cin/groups)·kh·kw}, bias ignored. */
    CONV("conv"),
    /** Fully connected layer: {@code MACs = rows·in·out}, rows = elements of the input / in. */
    LINEAR("linear"),
    /**
     * Batch normalisation at inference, a folded scale and shift: one MAC per element. Folding it
     * into the preceding convolution would make it free; it is kept separate so either view can be
     * read off the breakdown.
     */
    BATCH_NORM("batchnorm"),
    /** Pooling: one operation per kernel tap per output element (global pooling: per input). */
    POOL("pool"),
    /** Bilinear interpolation: 4 MACs per output element (four weighted taps). */
    INTERPOLATE("interpolate"),
    /** Element-wise ops (add, mul, ReLU and other activations): one operation per element. */
    ELEMENTWISE("elementwise");

    private final String key;

    OpType(String key) {
        this.key = key;
    }

    /** The name used in tables and JSON, for example {@code "batchnorm"}. */
    public String key() {
        return key;
    }
}
