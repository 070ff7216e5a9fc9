package org.dpnas.fbnet.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * FBNet's loss {@code CE · α · log(LAT)^β} with {@code LAT = Σ m ⊙ LUT} (Wu et al., Eq. 2, 4, 5)
 * against hand-computed values in float64, and its gradient reaching θ through the Gumbel-softmax
 * and the latency term against the closed form.
 */
class LatencyLossTest {

    /** Two layers, the nine candidates' latencies (arbitrary, > 0). */
    static final double[][] LUT = {
        {2.0, 1.8, 4.0, 7.0, 2.5, 2.3, 5.0, 9.0, 0.5},
        {3.0, 2.6, 6.0, 11.0, 3.5, 3.2, 7.5, 14.0, 1.0}
    };

    static final double[] THETA = {
        0.3, -0.2, 0.1, 0.7, -0.5, 0.0, 0.25, -0.1, 0.4, -0.3, 0.6, 0.2, -0.4, 0.1, 0.05, 0.3, -0.2,
        0.0
    };

    private static double[] softmaxRows(double[] x, double tau) {
        double[] p = new double[x.length];
        for (int r = 0; r < 2; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < 9; i++) {
                max = Math.max(max, x[r * 9 + i] / tau);
            }
            double z = 0;
            for (int i = 0; i < 9; i++) {
                p[r * 9 + i] = Math.exp(x[r * 9 + i] / tau - max);
                z += p[r * 9 + i];
            }
            for (int i = 0; i < 9; i++) {
                p[r * 9 + i] /= z;
            }
        }
        return p;
    }

    @Test
    void lossIsCeTimesAlphaTimesLogLatencyToTheBeta() {
        double[] m = softmaxRows(THETA, 1.0);
        double lat = 0;
        for (int i = 0; i < m.length; i++) {
            lat += m[i] * LUT[i / 9][i % 9];
        }
        double ce = 1.7;
        double expected = ce * 0.2 * Math.pow(Math.log(lat), 0.6);
        try (NDManager sm = NDManager.newBaseManager()) {
            NDArray w = sm.create(m, new Shape(2, 9));
            LatencyLoss loss = new LatencyLoss(() -> w, LUT, 0.2, 0.6);
            NDArray factor = loss.penalty(null, null, sm, null);
            assertEquals(DataType.FLOAT64, factor.getDataType());
            assertEquals(0.2 * Math.pow(Math.log(lat), 0.6), factor.getDouble(), 1e-14);
            assertEquals(loss.factor(lat), factor.getDouble(), 1e-14);
            double total = loss.applyTo(sm.create(ce), factor).getDouble();
            assertEquals(expected, total, 1e-13);
        }
    }

    /**
     * ∂/∂θ_{l,j} of CE · α·log(LAT)^β with m = softmax(θ/τ) and CE held fixed is CE · α · β ·
     * log(LAT)^(β−1) / LAT · m_{l,j} (LUT_{l,j} − Σ_i m_{l,i} LUT_{l,i}) / τ: only the latency term
     * reaches θ here, so a zero gradient would mean it does not.
     */
    @Test
    void gradientReachesThetaThroughTheLatencyTerm() {
        double tau = 2.0;
        double ce = 1.3;
        double alpha = 0.2;
        double beta = 0.6;
        double[] m = softmaxRows(THETA, tau);
        double lat = 0;
        double[] rowLat = new double[2];
        for (int i = 0; i < m.length; i++) {
            lat += m[i] * LUT[i / 9][i % 9];
            rowLat[i / 9] += m[i] * LUT[i / 9][i % 9];
        }
        double outer = ce * alpha * beta * Math.pow(Math.log(lat), beta - 1) / lat;
        try (NDManager sm = NDManager.newBaseManager()) {
            NDArray theta = sm.create(THETA, new Shape(2, 9));
            theta.setRequiresGradient(true);
            GumbelSoftmax gumbel = new GumbelSoftmax(7, tau, 0.956).withNoise(() -> 0.0);
            double[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray w = gumbel.weights(theta, true, sm).weights();
                LatencyLoss loss = new LatencyLoss(() -> w, LUT, alpha, beta);
                NDArray total = loss.applyTo(sm.create(ce), loss.penalty(null, null, sm, null));
                gc.backward(total);
            }
            grad = theta.getGradient().toDoubleArray();
            double norm = 0;
            for (int i = 0; i < m.length; i++) {
                double want = outer * m[i] * (LUT[i / 9][i % 9] - rowLat[i / 9]) / tau;
                assertEquals(want, grad[i], 1e-13, "dL/dθ[" + i + "]");
                norm += Math.abs(grad[i]);
            }
            assertTrue(norm > 1e-3, "the gradient is not trivially zero: " + norm);
            // the slowest candidate of each layer is pushed down, the fastest up
            assertTrue(grad[7] > 0 && grad[8] < 0, "layer 0: k5_e6 up, skip down in θ's loss");
        }
    }

    @Test
    void badAlphaOrBetaIsRefusedWithItsKey() {
        IllegalArgumentException a =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new LatencyLoss(() -> null, LUT, 0.0, 0.6));
        assertTrue(a.getMessage().contains("search.latency_alpha"), a.getMessage());
        IllegalArgumentException b =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new LatencyLoss(() -> null, LUT, 0.2, -1));
        assertTrue(b.getMessage().contains("search.latency_beta"), b.getMessage());
    }
}
