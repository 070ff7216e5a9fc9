package org.dpnas.common.search;

import org.dpnas.common.nn.ops.ArchRelaxation;

/**
 * A supernet whose mixed edges can take their op weights from another {@link ArchRelaxation} than
 * DARTS's softmax, e.g. GDAS's sampled one-hot weights under which only the sampled op runs (Dong
 * &amp; Yang, CVPR 2019).
 */
public interface OpSampling {

    /**
     * Makes every later forward pass weight the edges' ops with {@code relaxation}.
     *
     * @throws IllegalStateException when this supernet's evaluation cannot run a single op per edge
     *     (e.g. a fused evaluation); the message says which setting to change
     */
    void sampleOps(ArchRelaxation relaxation);
}
