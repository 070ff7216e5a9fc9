/**
 * Building blocks of the Auto-DeepLab search supernet (Liu et al., CVPR 2019, Sec. 3 and 4.1): the
 * three-convolution stem, the search cell over shared mixed edges, the per-level ASPP head and
 * align-corners bilinear resizing.
 */
package org.dpnas.autodeeplab.nn;
