package org.dpnas.autodeeplab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The network-level weights β without a decoding prior (issue 14, item 1): with equal β and the
 * reference's normalisation every network path scores the same at L = 4 and L = 12, and the
 * supernet's forward pass weighs the choices exactly as the decoder reads them.
 */
class BetaNormalisationTest {

    private static float[][][] equal(int layers, float value) {
        float[][][] b = new float[layers][4][3];
        for (float[][] layer : b) {
            for (float[] node : layer) {
                java.util.Arrays.fill(node, value);
            }
        }
        return b;
    }

    private static List<int[]> allPaths(int layers) {
        List<int[]> out = new ArrayList<>();
        enumerate(new int[layers], 0, out);
        return out;
    }

    private static void enumerate(int[] p, int l, List<int[]> out) {
        if (l == p.length) {
            out.add(p.clone());
            return;
        }
        int prev = l == 0 ? 0 : p[l - 1];
        for (int s = prev - 1; s <= prev + 1; s++) {
            if (NetworkSpace.exists(l, s)) {
                p[l] = s;
                enumerate(p, l + 1, out);
            }
        }
    }

    /**
     * Equal β, reference normalisation: every choice of every node weighs exactly 1/3, so all paths
     * score L·log(1/3) — bit for bit, not just within a tolerance — and the documented tie-break
     * returns the lexicographically smallest path, all level 0.
     */
    @Test
    void equalBetaTiesEveryPathAtL4AndL12() {
        for (int layers : new int[] {4, 12}) {
            for (float value : new float[] {0f, 0.37f}) {
                float[][][] b = equal(layers, value);
                List<int[]> paths = allPaths(layers);
                double first = Decoder.logScore(b, BetaNormalisation.REFERENCE, paths.get(0));
                assertEquals(layers * Math.log(1.0 / 3.0), first, 1e-12);
                for (int[] p : paths) {
                    assertEquals(
                            first,
                            Decoder.logScore(b, BetaNormalisation.REFERENCE, p),
                            0.0,
                            "L=" + layers + " path " + java.util.Arrays.toString(p));
                }
                assertArrayEquals(new int[layers], Decoder.path(b, BetaNormalisation.REFERENCE));
            }
        }
        // sanity of the enumeration: 3 paths at L = 1 (levels 0, 1) is 2; L = 2 is 2 + 3 = 5
        assertEquals(2, allPaths(1).size());
        assertEquals(5, allPaths(2).size());
    }

    /**
     * The plain softmax has the prior the reference's factor removes: boundary choices weigh 1/2,
     * so with equal β the all-level-0 path beats a path through levels 1 and 2.
     */
    @Test
    void plainSoftmaxPrefersTheBoundaries() {
        float[][][] b = equal(4, 0f);
        double boundary = Decoder.logScore(b, BetaNormalisation.SOFTMAX, new int[] {0, 0, 0, 0});
        double inner = Decoder.logScore(b, BetaNormalisation.SOFTMAX, new int[] {1, 1, 1, 1});
        assertEquals(4 * Math.log(0.5), boundary, 1e-12);
        // stem → level 1 is a level-0 choice (1/2), then three SAME at level 1 (1/3 each)
        assertEquals(Math.log(0.5) + 3 * Math.log(1.0 / 3.0), inner, 1e-12);
        assertTrue(boundary > inner);
    }

    /** A clear preference still wins over the tie-break (the decoder reads β, not the prior). */
    @Test
    void favouredPathWinsOverTheTieBreak() {
        float[][][] b = equal(4, 0f);
        int[] want = {1, 2, 2, 1};
        int prev = 0;
        for (int l = 0; l < want.length; l++) {
            b[l][prev][want[l] - prev + 1] = 0.01f;
            prev = want[l];
        }
        assertArrayEquals(want, Decoder.path(b, BetaNormalisation.REFERENCE));
    }

    /**
     * The forward pass's weights equal the decoder's transition weights (float64, random β), for
     * both normalisations: 2/3 of the two-way softmax at levels 0 and 3 with the reference's.
     */
    @Test
    void forwardWeightsEqualTheDecodersTransitions() {
        Random r = new Random(7);
        int layers = 3;
        float[][][] b = new float[layers][4][3];
        float[] flat = new float[layers * 12];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) r.nextGaussian();
            b[i / 12][i / 3 % 4][i % 3] = flat[i];
        }
        for (BetaNormalisation norm : BetaNormalisation.values()) {
            AutoDeepLabSupernet net =
                    new AutoDeepLabSupernet(
                            new SupernetConfig(3, layers, 4, 2).withBetaNormalisation(norm));
            double[][][] t = Decoder.transitions(b, norm);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray raw =
                        m.create(flat, new Shape(layers, 4, 3)).toType(DataType.FLOAT64, false);
                double[] got = net.betaWeights(raw, m, DataType.FLOAT64).toDoubleArray();
                for (int i = 0; i < got.length; i++) {
                    assertEquals(t[i / 12][i / 3 % 4][i % 3], got[i], 1e-12, norm + " entry " + i);
                }
                if (norm == BetaNormalisation.REFERENCE) {
                    // level 0: SAME + DOWN sum to 2/3; level 1: all three sum to 1
                    assertEquals(2.0 / 3.0, got[1] + got[2], 1e-12);
                    assertEquals(1.0, got[3] + got[4] + got[5], 1e-12);
                }
            }
        }
    }

    /** A bad config value is refused with the key in the message. */
    @Test
    void parseNamesTheKey() {
        assertEquals(
                BetaNormalisation.SOFTMAX,
                BetaNormalisation.parse("softmax", "space.beta_normalisation"));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> BetaNormalisation.parse("paper", "space.beta_normalisation"));
        assertTrue(e.getMessage().contains("space.beta_normalisation"), e.getMessage());
    }
}
