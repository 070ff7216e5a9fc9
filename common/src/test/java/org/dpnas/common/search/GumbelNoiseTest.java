package org.dpnas.common.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

class GumbelNoiseTest {

    @Test
    void drawsHaveTheStandardGumbelMeanAndVariance() {
        // mean γ = 0.5772…, variance σ² = π²/6 = 1.645; n = 200,000 draws. Standard errors: mean
        // σ/√n = 0.0029; variance √(μ4 − σ⁴)/√n with μ4 = (3 + 12/5)·σ⁴ = 14.6 (excess kurtosis
        // 12/5), i.e. √(14.6 − 2.71)/√n = 0.0077. We allow 5 standard errors.
        GumbelNoise g = new GumbelNoise(3, "test");
        int n = 200_000;
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            double x = g.getAsDouble();
            sum += x;
            sq += x * x;
        }
        double mean = sum / n;
        double var = sq / n - mean * mean;
        assertEquals(0.5772156649, mean, 5 * 0.0029);
        assertEquals(Math.PI * Math.PI / 6, var, 5 * 0.0077);
    }

    @Test
    void aRestoredStreamContinuesWhereTheSavedOneWas() {
        GumbelNoise a = new GumbelNoise(7, "s");
        a.getAsDouble();
        JsonElement saved = a.state();
        double next = a.getAsDouble();
        GumbelNoise b = new GumbelNoise(99, "s");
        b.restore(saved, "no state");
        assertEquals(next, b.getAsDouble());
        // the stream name separates streams of one seed
        assertNotEquals(
                new GumbelNoise(7, "s").getAsDouble(), new GumbelNoise(7, "t").getAsDouble());
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> b.restore(new JsonObject(), "checkpoint has no sampler state"));
        assertEquals("checkpoint has no sampler state", e.getMessage());
    }
}
