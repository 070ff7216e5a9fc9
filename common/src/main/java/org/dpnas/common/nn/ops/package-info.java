/**
 * The one table of candidate operations that every cell-based search space reuses (DARTS, Liu et
 * al., ICLR 2019, Sec. 3.1 and Appendix A.1; Auto-DeepLab, Liu et al., CVPR 2019, Sec. 3.1): zero,
 * 3×3 max and average pooling, identity, separable and dilated convolutions, and the continuous
 * relaxation {@link org.dpnas.common.nn.ops.MixedOp} that weights them by softmaxed architecture
 * parameters.
 */
package org.dpnas.common.nn.ops;
