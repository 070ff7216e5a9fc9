/**
 * NAS-FPN (Ghiasi et al., CVPR 2019, https://arxiv.org/abs/1904.07392): merging-cell
 * feature-pyramid search for detection. Not implemented yet.
 */
package org.dpnas.nasfpn;
