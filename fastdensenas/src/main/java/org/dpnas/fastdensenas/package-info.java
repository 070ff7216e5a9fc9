/**
 * FastDenseNAS (Nekrasov et al., CVPR 2019, https://arxiv.org/abs/1810.10804): RL-controller
 * decoder search over a pretrained encoder with auxiliary cells, two-stage training, distillation
 * and Polyak averaging. Not implemented yet.
 */
package org.dpnas.fastdensenas;
