/**
 * FastDenseNAS (Nekrasov et al., "Fast Neural Architecture Search of Compact Semantic Segmentation
 * Models via Auxiliary Cells", CVPR 2019): a decoder searched by an RL controller over a pretrained
 * MobileNet-v2 encoder. This package holds the decoder genotype and its decision space; the
 * controller is the shared {@link org.dpnas.common.search.rl.RlSearch}.
 */
package org.dpnas.fastdensenas;
