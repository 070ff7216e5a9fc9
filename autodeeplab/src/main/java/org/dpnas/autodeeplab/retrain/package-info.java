/**
 * The fixed Auto-DeepLab network retrained from a searched genotype (Liu et al., CVPR 2019, Sec.
 * 4.2): stem, one fixed cell per layer along the network path, ASPP and a DeepLabv3+ decoder.
 */
package org.dpnas.autodeeplab.retrain;
