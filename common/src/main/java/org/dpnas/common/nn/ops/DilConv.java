package org.dpnas.common.nn.ops;

/**
 * The DARTS dilated separable convolution (Liu et al., ICLR 2019, Sec. 3.1): ReLU, depthwise k×k at
 * the given rate, pointwise 1×1, BN. Weights: C·k² + C², plus 2C when BN is affine.
 */
public final class DilConv extends Chain {

    /**
     * Creates the op.
     *
     * @param channels input and output channels
     * @param kernel depthwise kernel size (3 or 5)
     * @param stride stride of the depthwise convolution
     * @param dilation dilation rate (2 in DARTS)
     * @param affine whether the BN learns a scale and shift
     */
    public DilConv(int channels, int kernel, int stride, int dilation, boolean affine) {
        relu();
        conv(channels, kernel, stride, dilation, channels);
        conv(channels, 1, 1, 1, 1);
        bn(affine);
    }
}
