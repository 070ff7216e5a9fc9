package org.dpnas.autodeeplab;

import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.search.darts.CellEdge;
import org.dpnas.common.search.darts.CellGraph;

/**
 * Turns the continuous architecture (α, β) into a discrete {@link AutoDeepLabGenotype} (Liu et al.,
 * CVPR 2019, Sec. 3.3).
 *
 * <p>Cell: for each block keep the two incoming edges whose strongest non-{@code none} op has the
 * largest softmax(α) weight, and on each the arg-max op excluding {@code none} (DARTS, Sec. 2.4;
 * the shared {@link CellGraph#derive}).
 *
 * <p>Network: β read as transition probabilities — at each node (l − 1, s') the softmax of β[l][s']
 * over the choices valid there (no UP at level 0, no DOWN at level 3) — and the path of maximum
 * product found by the Viterbi algorithm over the levels reachable at each layer (level ≤ l + 1),
 * starting from the stem at level 0 and ending at any level of the last layer.
 */
public final class Decoder {

    private Decoder() {}

    /**
     * Decodes a whole genotype from raw α and β.
     *
     * @param config the supernet's sizes
     * @param ops the ops of α's columns
     * @param alpha raw α, edges × ops
     * @param beta raw β, L × 4 × 3
     */
    public static AutoDeepLabGenotype decode(
            SupernetConfig config, List<OpSpec> ops, float[][] alpha, float[][][] beta) {
        // α is checked by CellGraph.derive
        for (int l = 0; l < beta.length; l++) {
            CellGraph.requireFinite("β[" + l + "]", beta[l]);
        }
        return new AutoDeepLabGenotype(
                config.filterMultiplier(),
                config.blocks(),
                config.layers(),
                cell(alpha, config.blocks(), ops),
                toList(path(beta)));
    }

    /** Decodes the genotype of a supernet from its current α and β. */
    public static AutoDeepLabGenotype decode(AutoDeepLabSupernet net) {
        SupernetConfig c = net.config();
        float[] a = net.alphas().getArray().toFloatArray();
        float[] b = net.betas().getArray().toFloatArray();
        int nOps = net.ops().size();
        float[][] alpha = new float[c.edges()][nOps];
        for (int e = 0; e < alpha.length; e++) {
            System.arraycopy(a, e * nOps, alpha[e], 0, nOps);
        }
        float[][][] beta = new float[c.layers()][NetworkSpace.LEVELS][3];
        for (int l = 0; l < c.layers(); l++) {
            for (int s = 0; s < NetworkSpace.LEVELS; s++) {
                System.arraycopy(b, (l * NetworkSpace.LEVELS + s) * 3, beta[l][s], 0, 3);
            }
        }
        return decode(c, net.ops(), alpha, beta);
    }

    /**
     * The cell genotype: per block, the two strongest inputs with their best non-{@code none} op.
     *
     * @param alpha raw α, one row per edge (block i's edges follow block i − 1's), one column per
     *     op
     * @param blocks B
     * @param ops the ops of the columns
     */
    public static List<List<CellEdge>> cell(float[][] alpha, int blocks, List<OpSpec> ops) {
        return new CellGraph(blocks).derive(alpha, ops, 2);
    }

    /**
     * Transition probabilities: softmax of β[l][s'] over the choices valid at level s'; invalid
     * choices get probability 0.
     */
    public static double[][][] transitions(float[][][] beta) {
        double[][][] t = new double[beta.length][NetworkSpace.LEVELS][3];
        for (int l = 0; l < beta.length; l++) {
            if (beta[l].length != NetworkSpace.LEVELS) {
                throw new IllegalArgumentException("β[" + l + "] must have 4 levels");
            }
            for (int s = 0; s < NetworkSpace.LEVELS; s++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < 3; k++) {
                    if (NetworkSpace.valid(s, k)) {
                        max = Math.max(max, beta[l][s][k]);
                    }
                }
                double z = 0;
                for (int k = 0; k < 3; k++) {
                    if (NetworkSpace.valid(s, k)) {
                        t[l][s][k] = Math.exp(beta[l][s][k] - max);
                        z += t[l][s][k];
                    }
                }
                for (int k = 0; k < 3; k++) {
                    t[l][s][k] /= z;
                }
            }
        }
        return t;
    }

    /**
     * The Viterbi path: the level of each layer on the path of maximum transition-probability
     * product from the stem (level 0) through all L layers.
     *
     * @param beta raw β, L × 4 × 3 ([l][s'][UP, SAME, DOWN])
     * @return L levels
     */
    public static int[] path(float[][][] beta) {
        int layers = beta.length;
        if (layers == 0) {
            throw new IllegalArgumentException("β has no layers");
        }
        double[][][] t = transitions(beta);
        double[][] score = new double[layers][NetworkSpace.LEVELS];
        int[][] from = new int[layers][NetworkSpace.LEVELS];
        for (int l = 0; l < layers; l++) {
            for (int s = 0; s < NetworkSpace.LEVELS; s++) {
                score[l][s] = Double.NEGATIVE_INFINITY;
                from[l][s] = -1;
                if (!NetworkSpace.exists(l, s)) {
                    continue;
                }
                for (int k = 0; k < 3; k++) {
                    int src = s + 1 - k;
                    if (!NetworkSpace.exists(l - 1, src) || !NetworkSpace.valid(src, k)) {
                        continue;
                    }
                    double prior = l == 0 ? 0.0 : score[l - 1][src];
                    double cand = prior + Math.log(t[l][src][k]);
                    if (cand > score[l][s]) {
                        score[l][s] = cand;
                        from[l][s] = src;
                    }
                }
            }
        }
        int[] path = new int[layers];
        int best = 0;
        for (int s = 1; s < NetworkSpace.LEVELS; s++) {
            if (score[layers - 1][s] > score[layers - 1][best]) {
                best = s;
            }
        }
        path[layers - 1] = best;
        for (int l = layers - 1; l > 0; l--) {
            path[l - 1] = from[l][path[l]];
        }
        return path;
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> out = new ArrayList<>();
        for (int v : a) {
            out.add(v);
        }
        return out;
    }
}
