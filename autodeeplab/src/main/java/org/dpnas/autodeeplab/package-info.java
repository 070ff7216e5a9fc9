/**
 * Auto-DeepLab (Liu et al., CVPR 2019, https://arxiv.org/abs/1901.02985): the hierarchical search
 * space ({@link org.dpnas.autodeeplab.NetworkSpace}, {@link org.dpnas.autodeeplab.SupernetConfig}),
 * the search supernet with architecture parameters α and β kept apart from the weights ({@link
 * org.dpnas.autodeeplab.AutoDeepLabSupernet}), decoding by top-2 edges and Viterbi ({@link
 * org.dpnas.autodeeplab.Decoder}) and the architecture as data ({@link
 * org.dpnas.autodeeplab.AutoDeepLabGenotype}).
 */
package org.dpnas.autodeeplab;
