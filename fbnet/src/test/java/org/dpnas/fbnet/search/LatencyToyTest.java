package org.dpnas.fbnet.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * A toy with a known answer: three layers whose candidates trade error for latency (the slowest
 * block has the lowest error, as in a real space). θ is trained with the real Gumbel-softmax and
 * the real latency loss on a stand-in cross-entropy {@code 0.5 + mean_l Σ_i m_{l,i} · err_i}. On
 * the cross-entropy alone (α = 0) every layer picks the most accurate, slowest block; with a large
 * α and β the latency factor wins and the search ends on a faster architecture. Deterministic: the
 * noise stream is seeded and the arithmetic is float64.
 */
class LatencyToyTest {

    static final double[][] LUT = {
        {2.0, 1.8, 4.0, 7.0, 2.5, 2.3, 5.0, 9.0, 1.2},
        {3.0, 2.6, 6.0, 11.0, 3.5, 3.2, 7.5, 14.0, 1.5},
        {2.5, 2.2, 5.0, 9.0, 3.0, 2.8, 6.5, 12.0, 1.3}
    };

    /** The error of each candidate: lower for slower blocks (1 / latency of layer 0's). */
    static final double[] ERR = new double[9];

    static {
        for (int i = 0; i < 9; i++) {
            ERR[i] = 1.0 / LUT[0][i];
        }
    }

    static final int STEPS = 100;

    /** Trains θ for {@link #STEPS} steps and returns the LUT latency of argmax θ. */
    static double search(double alpha, double beta) {
        int layers = LUT.length;
        double[] theta = new double[layers * 9];
        double[] err = new double[layers * 9];
        for (int i = 0; i < err.length; i++) {
            err[i] = ERR[i % 9] / layers;
        }
        GumbelSoftmax gumbel = new GumbelSoftmax(11, 5.0, 0.956);
        gumbel.stepsPerEpoch(10);
        double lr = 0.5;
        try (NDManager base = NDManager.newBaseManager()) {
            for (int t = 0; t < STEPS; t++) {
                gumbel.atStep(t);
                try (NDManager sm = base.newSubManager()) {
                    NDArray th = sm.create(theta, new Shape(layers, 9));
                    th.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray m = gumbel.weights(th, true, sm).weights();
                        NDArray ce =
                                m.mul(sm.create(err, new Shape(layers, 9)))
                                        .sum()
                                        .add(sm.create(0.5));
                        NDArray loss = ce;
                        if (alpha > 0) {
                            LatencyLoss l = new LatencyLoss(() -> m, LUT, alpha, beta);
                            loss = l.applyTo(ce, l.penalty(null, null, sm, null));
                        }
                        gc.backward(loss);
                    }
                    double[] g = th.getGradient().toDoubleArray();
                    for (int i = 0; i < theta.length; i++) {
                        theta[i] -= lr * g[i];
                    }
                }
            }
        }
        double lat = 0;
        for (int l = 0; l < layers; l++) {
            int best = 0;
            for (int i = 1; i < 9; i++) {
                if (theta[l * 9 + i] > theta[l * 9 + best]) {
                    best = i;
                }
            }
            lat += LUT[l][best];
        }
        return lat;
    }

    @Test
    void aLargeLatencyWeightChoosesFasterLayersThanCrossEntropyAlone() {
        double plain = search(0, 0);
        double penalised = search(2.0, 4.0);
        // CE alone: k5_e6 everywhere, the slowest architecture; latency-weighted: skip everywhere
        assertEquals(9.0 + 14.0 + 12.0, plain, 1e-12);
        assertEquals(1.2 + 1.5 + 1.3, penalised, 1e-12, "with α 2, β 4");
        // and it is deterministic
        assertEquals(penalised, search(2.0, 4.0), 0.0);
    }
}
