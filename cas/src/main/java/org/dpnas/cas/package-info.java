/**
 * CAS (Zhang et al., CVPR 2019, https://arxiv.org/abs/1903.02024): cost-aware search of normal,
 * reduction and multi-scale cells. Not implemented yet.
 */
package org.dpnas.cas;
