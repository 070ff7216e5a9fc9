package org.dpnas.common.nn.ops;

/**
 * ReLU, k×k convolution (no bias), BN: the DARTS cell preprocessing unit that maps an input to the
 * cell's channel count (Liu et al., ICLR 2019, Sec. 2.1). Weights: C_in·C_out·k², plus 2·C_out when
 * BN is affine.
 */
public final class ReluConvBn extends Chain {

    /**
     * Creates the unit.
     *
     * @param out output channels
     * @param kernel kernel size (1 for cell preprocessing)
     * @param stride stride
     * @param affine whether the BN learns a scale and shift
     */
    public ReluConvBn(int out, int kernel, int stride, boolean affine) {
        relu();
        conv(out, kernel, stride, 1, 1);
        bn(affine);
    }
}
