/**
 * Shared one-stage detection pieces (RetinaNet, Lin et al., ICCV 2017): anchors, anchor matching,
 * box coding, the focal and smooth-L1 losses, and post-processing (top-k, class-wise NMS). Array
 * logic is plain Java over {@code float[]} so it can be checked by hand; only the losses touch
 * NDArrays.
 */
package org.dpnas.common.det;
