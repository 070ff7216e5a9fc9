package org.dpnas.common.search;

import com.google.gson.JsonElement;
import org.dpnas.common.nn.ops.ArchRelaxation;

/**
 * An {@link ArchRelaxation} that draws random op weights under an annealed temperature, such as
 * GDAS's Gumbel-max sampler (Dong &amp; Yang, CVPR 2019) or FBNet's Gumbel-softmax (Wu et al., CVPR
 * 2019, Sec. 3.2): {@link OneShotJob} tells it the step before every step, logs its temperature
 * ({@code tau}) and keeps its noise stream in every checkpoint, so that a resumed search draws what
 * an uninterrupted one would have.
 */
public interface SampledRelaxation extends ArchRelaxation {

    /**
     * Tells the relaxation how many steps an epoch has, before the first step (for a temperature
     * that changes per epoch; GDAS's sampler is built knowing it).
     */
    default void stepsPerEpoch(long steps) {}

    /** Sets the step whose temperature the next passes use. */
    void atStep(long t);

    /** The temperature of step t. */
    double temperature(long t);

    /** The state for a checkpoint (the noise stream's position). */
    JsonElement state();

    /** Restores a state written by {@link #state()}. */
    void restore(JsonElement state);
}
