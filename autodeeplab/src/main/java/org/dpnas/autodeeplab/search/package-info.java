/**
 * The Auto-DeepLab bilevel search (Liu et al., CVPR 2019, Sec. 4.1; first-order DARTS, Liu et al.,
 * ICLR 2019, Sec. 2.3): weights on split A, architecture on the disjoint split B.
 */
package org.dpnas.autodeeplab.search;
