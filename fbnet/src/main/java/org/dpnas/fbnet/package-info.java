/**
 * FBNet (Wu et al., <i>FBNet: Hardware-Aware Efficient ConvNet Design via Differentiable Neural
 * Architecture Search</i>, CVPR 2019) as a segmentation encoder search: the layer-wise space, its
 * supernet and fixed network, the genotype, and the method's registration with {@code dpnas}.
 */
package org.dpnas.fbnet;
