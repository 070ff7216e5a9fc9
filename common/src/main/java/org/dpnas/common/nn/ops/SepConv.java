package org.dpnas.common.nn.ops;

/**
 * The DARTS separable convolution (Liu et al., ICLR 2019, Sec. 3.1, after Zoph et al. 2018): (ReLU,
 * depthwise k×k, pointwise 1×1, BN) applied twice, the stride on the first depthwise convolution.
 * Weights: 2·(C·k² + C²), plus 4C when BN is affine.
 */
public final class SepConv extends Chain {

    /**
     * Creates the op.
     *
     * @param channels input and output channels
     * @param kernel depthwise kernel size (3 or 5)
     * @param stride stride of the first depthwise convolution
     * @param affine whether the BNs learn a scale and shift
     */
    public SepConv(int channels, int kernel, int stride, boolean affine) {
        for (int rep = 0; rep < 2; rep++) {
            relu();
            conv(channels, kernel, rep == 0 ? stride : 1, 1, channels);
            conv(channels, 1, 1, 1, 1);
            bn(affine);
        }
    }
}
