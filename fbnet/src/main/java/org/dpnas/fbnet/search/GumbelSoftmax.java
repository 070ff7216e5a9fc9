package org.dpnas.fbnet.search;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import java.util.function.DoubleSupplier;
import org.dpnas.common.nn.ops.OpWeights;
import org.dpnas.common.search.GumbelNoise;
import org.dpnas.common.search.SampledRelaxation;

/**
 * FBNet's Gumbel-softmax relaxation (Wu et al., CVPR 2019, Sec. 3.2, Eq. 6; Jang et al., ICLR
 * 2017): in a training pass each row (layer) of θ gets the soft weights {@code m = softmax((θ + g)
 * / τ)} with {@code g_i = −log(−log u_i)} standard Gumbel noise, and every candidate runs weighted
 * by m (no straight-through, no hard sample: the paper's soft mask), so the gradient of the loss —
 * and of the latency term computed from the same m — reaches θ.
 *
 * <p>The temperature decays exponentially per epoch, {@code τ_e = τ_0 · decay^e} (the paper: τ_0 =
 * 5.0, decay 0.956 per epoch). The noise is a {@link GumbelNoise} stream derived from the run's
 * seed; its state is one long, saved in every checkpoint, so a resumed search draws the same masks
 * as an uninterrupted one.
 */
public final class GumbelSoftmax implements SampledRelaxation {

    private final GumbelNoise gumbel;
    private final double tau0;
    private final double decay;
    private long stepsPerEpoch = 1;
    private long step;
    private DoubleSupplier noise;

    /**
     * Creates the relaxation.
     *
     * @param seed the run's seed (the noise stream is derived from it)
     * @param tau0 the temperature of the first epoch, {@code search.gumbel.tau0}
     * @param decay the factor per epoch, {@code search.gumbel.decay}
     * @throws IllegalArgumentException naming the key of a bad value
     */
    public GumbelSoftmax(long seed, double tau0, double decay) {
        if (!(tau0 > 0) || Double.isInfinite(tau0)) {
            throw new IllegalArgumentException("search.gumbel.tau0 must be > 0, got " + tau0);
        }
        if (!(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException(
                    "search.gumbel.decay must be in (0, 1], got " + decay);
        }
        this.gumbel = new GumbelNoise(seed, "fbnet-gumbel");
        this.noise = gumbel;
        this.tau0 = tau0;
        this.decay = decay;
    }

    /** Sets the steps of one epoch (1 until the search sets it). */
    @Override
    public void stepsPerEpoch(long steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("need at least one step per epoch, got " + steps);
        }
        this.stepsPerEpoch = steps;
    }

    /** Replaces the Gumbel draws by {@code noise} (tests: no noise, or a chosen one). */
    public GumbelSoftmax withNoise(DoubleSupplier noise) {
        this.noise = noise;
        return this;
    }

    @Override
    public void atStep(long t) {
        this.step = t;
    }

    /** The temperature of step t: {@code τ_0 · decay^e} in epoch e = ⌊t / steps per epoch⌋. */
    @Override
    public double temperature(long t) {
        return tau0 * Math.pow(decay, t / stepsPerEpoch);
    }

    /**
     * The soft weights of a training pass; an evaluation pass gets softmax(θ) (the supernet runs
     * argmax θ itself and never asks).
     */
    @Override
    public OpWeights weights(NDArray theta, boolean training, NDManager sm) {
        Shape shape = theta.getShape();
        if (!training) {
            return new OpWeights(theta.softmax(-1), null);
        }
        double[] g = new double[(int) shape.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = noise.getAsDouble();
        }
        // constants are arrays in the pass's manager, never Java numbers on this differentiated
        // path
        NDArray gn = sm.create(g, shape).toType(theta.getDataType(), false);
        NDArray invTau = sm.create(1.0 / temperature(step)).toType(theta.getDataType(), false);
        return new OpWeights(gn.add(theta).mul(invTau).softmax(-1), null);
    }

    @Override
    public JsonElement state() {
        return gumbel.state();
    }

    @Override
    public void restore(JsonElement state) {
        gumbel.restore(state, "checkpoint has no Gumbel-softmax state");
    }
}
