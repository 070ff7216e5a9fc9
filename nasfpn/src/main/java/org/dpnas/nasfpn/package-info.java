/**
 * NAS-FPN (Ghiasi et al., "NAS-FPN: Learning Scalable Feature Pyramid Architecture for Object
 * Detection", CVPR 2019): feature pyramids as lists of merging cells ({@link
 * org.dpnas.nasfpn.PyramidGenotype}), the pyramid network they build, and a RetinaNet detector
 * around it.
 */
package org.dpnas.nasfpn;
