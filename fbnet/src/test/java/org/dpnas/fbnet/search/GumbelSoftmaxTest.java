package org.dpnas.fbnet.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import org.junit.jupiter.api.Test;

/**
 * The Gumbel-softmax relaxation: the temperature schedule τ_0 · decay^epoch (the paper's 5.0 and
 * 0.956), soft weights softmax((θ + g)/τ) with the drawn noise, a restored noise stream drawing the
 * same masks, and bad settings refused with their key.
 */
class GumbelSoftmaxTest {

    @Test
    void temperatureDecaysExponentiallyPerEpoch() {
        GumbelSoftmax g = new GumbelSoftmax(0, 5.0, 0.956);
        g.stepsPerEpoch(3);
        assertEquals(5.0, g.temperature(0), 0.0);
        assertEquals(5.0, g.temperature(2), 0.0);
        assertEquals(5.0 * 0.956, g.temperature(3), 1e-15);
        assertEquals(5.0 * 0.956 * 0.956, g.temperature(8), 1e-15);
        assertEquals(5.0 * Math.pow(0.956, 90), g.temperature(270), 1e-15);
    }

    @Test
    void weightsAreTheSoftmaxOfThetaPlusNoiseOverTau() {
        double[] noise = {0.5, -1.0, 2.0, 0.0, 0.3, -0.2};
        int[] k = {0};
        GumbelSoftmax g = new GumbelSoftmax(0, 2.0, 0.5).withNoise(() -> noise[k[0]++]);
        g.stepsPerEpoch(1);
        g.atStep(1); // τ = 1
        double[] theta = {0.1, 0.2, 0.3, -0.1, 0.0, 0.4};
        try (NDManager m = NDManager.newBaseManager()) {
            double[] w =
                    g.weights(m.create(theta, new Shape(2, 3)), true, m).weights().toDoubleArray();
            for (int r = 0; r < 2; r++) {
                double z = 0;
                for (int i = 0; i < 3; i++) {
                    z += Math.exp(theta[3 * r + i] + noise[3 * r + i]);
                }
                for (int i = 0; i < 3; i++) {
                    assertEquals(
                            Math.exp(theta[3 * r + i] + noise[3 * r + i]) / z, w[3 * r + i], 1e-15);
                }
            }
        }
    }

    @Test
    void restoredStreamDrawsTheSameMasks() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray theta = m.zeros(new Shape(3, 9), ai.djl.ndarray.types.DataType.FLOAT64);
            GumbelSoftmax a = new GumbelSoftmax(42, 5.0, 0.956);
            a.weights(theta, true, m);
            JsonElement state = a.state();
            double[] next = a.weights(theta, true, m).weights().toDoubleArray();
            GumbelSoftmax b = new GumbelSoftmax(42, 5.0, 0.956);
            b.restore(state);
            assertArrayEquals(next, b.weights(theta, true, m).weights().toDoubleArray(), 0.0);
            GumbelSoftmax c = new GumbelSoftmax(42, 5.0, 0.956);
            double[] first = c.weights(theta, true, m).weights().toDoubleArray();
            assertTrue(first[0] != next[0], "the stream moves on");
        }
    }

    @Test
    void badSettingsAreRefusedWithTheirKey() {
        IllegalArgumentException t =
                assertThrows(IllegalArgumentException.class, () -> new GumbelSoftmax(0, 0, 0.9));
        assertTrue(t.getMessage().contains("search.gumbel.tau0"), t.getMessage());
        IllegalArgumentException d =
                assertThrows(IllegalArgumentException.class, () -> new GumbelSoftmax(0, 5, 1.5));
        assertTrue(d.getMessage().contains("search.gumbel.decay"), d.getMessage());
    }
}
