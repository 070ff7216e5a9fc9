/**
 * Auto-DeepLab (Liu et al., CVPR 2019, https://arxiv.org/abs/1901.02985): hierarchical cell and
 * network-level search, Viterbi decoding and retraining. Arrives with the Auto-DeepLab issue.
 */
package org.dpnas.autodeeplab;
