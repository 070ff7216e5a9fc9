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
 * latency factor (Wu et al., CVPR 2019, Sec. 3.2; multiplied in, see {@link #applyTo}). It is
 * evaluated inside the architecture step's gradient recording, so its gradient enters the update of
 * the architecture parameters.
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

    /**
     * How the penalty enters the architecture step's loss: added (default, CAS), or e.g. multiplied
     * as FBNet's latency factor {@code CE · α·log(LAT)^β}.
     *
     * @param loss the training loss of the batch
     * @param penalty what {@link #penalty} returned
     * @return the loss the architecture step differentiates
     */
    default NDArray applyTo(NDArray loss, NDArray penalty) {
        return loss.add(penalty);
    }
}
