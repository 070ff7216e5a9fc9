package org.dpnas.autodeeplab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.search.darts.CellEdge;
import org.junit.jupiter.api.Test;

class DecoderTest {

    private static final List<OpSpec> OPS = OpSpec.darts();

    /**
     * Two blocks, 5 edges. Block 0 keeps both inputs: H^{l−1} (sep_conv_3x3 = 2) first, then
     * H^{l−2}, whose {@code none} = 10 is ignored in favour of dil_conv_5x5 = 1. Block 1: input 0
     * has a large raw α on skip (4) but {@code none} = 10 leaves it a softmax weight of 0.0025;
     * input 1 (avg_pool = 3, weight 0.74) and input 2 (sep_conv_5x5 = 2, weight 0.51) win.
     */
    @Test
    void cellKeepsTheTwoStrongestNonNoneInputs() {
        float[][] a = new float[5][8];
        a[0][0] = 10;
        a[0][7] = 1;
        a[1][4] = 2;
        a[2][0] = 10;
        a[2][3] = 4;
        a[3][2] = 3;
        a[4][5] = 2;
        List<List<CellEdge>> cell = Decoder.cell(a, 2, OPS);
        assertEquals(
                List.of(new CellEdge(1, "sep_conv_3x3"), new CellEdge(0, "dil_conv_5x5")),
                cell.get(0));
        assertEquals(
                List.of(new CellEdge(1, "avg_pool_3x3"), new CellEdge(2, "sep_conv_5x5")),
                cell.get(1));
    }

    @Test
    void cellRejectsAlphaOfTheWrongSize() {
        assertThrows(IllegalArgumentException.class, () -> Decoder.cell(new float[19][8], 5, OPS));
        assertThrows(IllegalArgumentException.class, () -> Decoder.cell(new float[20][7], 5, OPS));
    }

    /** Invalid choices are outside the softmax however large: level 0 cannot go up, 3 not down. */
    @Test
    void transitionsIgnoreInvalidChoices() {
        float[][][] b = new float[1][4][3];
        b[0][0][NetworkSpace.UP] = 100;
        b[0][3][NetworkSpace.DOWN] = 100;
        b[0][1] = new float[] {0, (float) Math.log(2), 0};
        double[][][] t = Decoder.transitions(b, BetaNormalisation.SOFTMAX);
        assertArrayEquals(new double[] {0, .5, .5}, t[0][0], 1e-12);
        assertArrayEquals(new double[] {.25, .5, .25}, t[0][1], 1e-7);
        assertArrayEquals(new double[] {.5, .5, 0}, t[0][3], 1e-12);
        double[][][] ref = Decoder.transitions(b, BetaNormalisation.REFERENCE);
        assertArrayEquals(new double[] {0, 1 / 3.0, 1 / 3.0}, ref[0][0], 1e-12);
        assertArrayEquals(new double[] {.25, .5, .25}, ref[0][1], 1e-7);
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 0}, ref[0][3], 1e-12);
    }

    private static float[][][] favour(List<Integer> path, long seed) {
        Random r = new Random(seed);
        float[][][] b = new float[path.size()][4][3];
        for (float[][] layer : b) {
            for (float[] node : layer) {
                for (int k = 0; k < 3; k++) {
                    node[k] = (float) r.nextGaussian();
                }
            }
        }
        int prev = 0;
        for (int l = 0; l < path.size(); l++) {
            b[l][prev][path.get(l) - prev + 1] = 6f;
            prev = path.get(l);
        }
        return b;
    }

    @Test
    void viterbiRecoversThePaperPath() {
        for (long seed = 0; seed < 5; seed++) {
            int[] p = Decoder.path(favour(AutoDeepLabGenotype.PAPER_PATH, seed));
            assertEquals(AutoDeepLabGenotype.PAPER_PATH, toList(p));
        }
    }

    /**
     * β favouring DOWN everywhere: levels are limited by reachability (level ≤ l + 1) and by the
     * lowest resolution (no DOWN from level 3), so the path is 1, 2, 3, 3, 3. Favouring UP: level 0
     * cannot go up, so the path stays at 0.
     */
    @Test
    void boundariesAndReachabilityLimitThePath() {
        float[][][] down = new float[5][4][3];
        float[][][] up = new float[5][4][3];
        for (int l = 0; l < 5; l++) {
            for (int s = 0; s < 4; s++) {
                down[l][s] = new float[] {0, 1, 5};
                up[l][s] = new float[] {5, 1, 0};
            }
        }
        assertArrayEquals(new int[] {1, 2, 3, 3, 3}, Decoder.path(down));
        assertArrayEquals(new int[] {0, 0, 0, 0, 0}, Decoder.path(up));
        assertArrayEquals(new int[] {1}, Decoder.path(new float[][][] {down[0]}));
    }

    /** Viterbi finds the same best path as enumerating every valid path (random β, L ≤ 6). */
    @Test
    void viterbiEqualsExhaustiveSearch() {
        Random r = new Random(42);
        for (int trial = 0; trial < 30; trial++) {
            int layers = 1 + trial % 6;
            float[][][] b = new float[layers][4][3];
            for (float[][] layer : b) {
                for (float[] node : layer) {
                    for (int k = 0; k < 3; k++) {
                        node[k] = (float) (2 * r.nextGaussian());
                    }
                }
            }
            double[][][] t = Decoder.transitions(b);
            List<int[]> all = new ArrayList<>();
            enumerate(new int[layers], 0, all);
            int[] best = null;
            double bestP = -1;
            for (int[] p : all) {
                double prob = 1;
                int prev = 0;
                for (int l = 0; l < layers; l++) {
                    prob *= t[l][prev][p[l] - prev + 1];
                    prev = p[l];
                }
                if (prob > bestP) {
                    bestP = prob;
                    best = p;
                }
            }
            assertArrayEquals(best, Decoder.path(b), "trial " + trial);
        }
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

    /** Decoding a built supernet yields a valid genotype of its sizes. */
    @Test
    void decodesASupernet() {
        SupernetConfig c = new SupernetConfig(3, 3, 4, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            AutoDeepLabSupernet net = new AutoDeepLabSupernet(c);
            net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 32, 32));
            AutoDeepLabGenotype g = Decoder.decode(net);
            assertEquals(3, g.layers());
            assertEquals(3, g.cell().size());
            assertEquals(4, g.filterMultiplier());
        }
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> out = new ArrayList<>();
        for (int v : a) {
            out.add(v);
        }
        return out;
    }
}
