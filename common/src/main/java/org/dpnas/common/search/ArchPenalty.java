package org.dpnas.common.search;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.dpnas.common.train.Constants;

/**
 * A term added to the loss of the architecture step only, so that it shapes α but never the
 * weights: CAS's expected cost λ·Σ softmax(α)·cost (Zhang et al., CVPR 2019, Sec. 3.3), FBNet's
 * latency factor (Wu et al., CVPR 2019, Sec. 3.2). It is evaluated inside the architecture step's
 * gradient recording, so its gradient enters the update of the architecture parameters.
 */
@FunctionalInterface
public interface ArchPenalty {

    /**
     * The penalty of the current architecture parameters.
     *
     * @param store the parameter store (read each parameter with {@code store.getValue(p, device,
     *     true)})
     * @param arch the architecture parameters, as {@link Supernet#archParameters()} lists them
     * @param step the step's manager; the result must live in it
     * @param constants the run's constants (never pass a Java number to an op here)
     * @return a 0-d array
     */
    NDArray penalty(
            ParameterStore store, List<Parameter> arch, NDManager step, Constants constants);
}
