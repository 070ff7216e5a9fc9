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
 * <p>Network: β read as transition weights — at each node (l − 1, s') the softmax of β[l][s'] over
 * the choices valid there (no UP at level 0, no DOWN at level 3), times 2/3 at those two-choice
 * levels with the reference's {@link BetaNormalisation} (the default) — and the path of maximum
 * product found by the Viterbi algorithm over the levels reachable at each layer (level ≤ l + 1),
 * starting from the stem at level 0 and ending at any level of the last layer; ties go to the
 * lexicographically smallest path.
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
                toList(path(beta, config.betaNormalisation())));
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
     * Transition probabilities with the reference's normalisation ({@link #transitions(float[][][],
     * BetaNormalisation)}).
     */
    public static double[][][] transitions(float[][][] beta) {
        return transitions(beta, BetaNormalisation.REFERENCE);
    }

    /**
     * Transition weights: softmax of β[l][s'] over the choices valid at level s', times {@link
     * BetaNormalisation#scale} (2/3 at levels 0 and 3 for the reference's normalisation); invalid
     * choices get 0. These are the weights the supernet's forward pass uses.
     *
     * @param beta raw β, L × 4 × 3
     * @param norm the normalisation
     */
    public static double[][][] transitions(float[][][] beta, BetaNormalisation norm) {
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
                double scale = norm.scale(s);
                for (int k = 0; k < 3; k++) {
                    t[l][s][k] = t[l][s][k] / z * scale;
                }
            }
        }
        return t;
    }

    /** The Viterbi path with the reference's normalisation. */
    public static int[] path(float[][][] beta) {
        return path(beta, BetaNormalisation.REFERENCE);
    }

    /**
     * The log of a network path's score: Σ_l log t[l][p_{l−1}][choice], from the stem at level 0.
     *
     * @param beta raw β, L × 4 × 3
     * @param norm the normalisation
     * @param path one level per layer; must be a valid path (steps of at most one level)
     */
    public static double logScore(float[][][] beta, BetaNormalisation norm, int[] path) {
        if (path.length != beta.length) {
            throw new IllegalArgumentException(
                    "path has " + path.length + " layers, β " + beta.length);
        }
        double[][][] t = transitions(beta, norm);
        double sum = 0;
        int prev = 0;
        for (int l = 0; l < path.length; l++) {
            int k = path[l] - prev + 1;
            if (k < 0 || k > 2 || !NetworkSpace.exists(l, path[l])) {
                throw new IllegalArgumentException("invalid path step at layer " + l);
            }
            sum += Math.log(t[l][prev][k]);
            prev = path[l];
        }
        return sum;
    }

    /**
     * The Viterbi path: the level of each layer on the path of maximum transition-weight product
     * from the stem (level 0) through all L layers.
     *
     * <p>Tie-break: among paths of equal score the lexicographically smallest (the lowest level,
     * i.e. the highest resolution, at the earliest layer where they differ) is returned — with
     * equal β and the reference normalisation every path ties, and the result is {@code [0, …, 0]}.
     * The scores of a node's continuations are summed in the same order for every path, so exact
     * ties stay exact in floating point.
     *
     * @param beta raw β, L × 4 × 3 ([l][s'][UP, SAME, DOWN])
     * @param norm the normalisation
     * @return L levels
     */
    public static int[] path(float[][][] beta, BetaNormalisation norm) {
        int layers = beta.length;
        if (layers == 0) {
            throw new IllegalArgumentException("β has no layers");
        }
        double[][][] t = transitions(beta, norm);
        // rest[l][s]: the best log score of layers l+1..L−1 given level s at layer l
        double[][] rest = new double[layers][NetworkSpace.LEVELS];
        for (int l = layers - 2; l >= 0; l--) {
            for (int s = 0; s < NetworkSpace.LEVELS; s++) {
                rest[l][s] = Double.NEGATIVE_INFINITY;
                if (!NetworkSpace.exists(l, s)) {
                    continue;
                }
                for (int k = 0; k < 3; k++) {
                    int next = NetworkSpace.target(s, k);
                    if (NetworkSpace.valid(s, k) && NetworkSpace.exists(l + 1, next)) {
                        rest[l][s] =
                                Math.max(rest[l][s], Math.log(t[l + 1][s][k]) + rest[l + 1][next]);
                    }
                }
            }
        }
        int[] path = new int[layers];
        int prev = 0;
        for (int l = 0; l < layers; l++) {
            double best = Double.NEGATIVE_INFINITY;
            int arg = -1;
            // DOWN (k = 2) leads to the highest level; UP (k = 0) to the lowest: try UP first
            for (int k = 0; k < 3; k++) {
                int next = NetworkSpace.target(prev, k);
                if (!NetworkSpace.valid(prev, k) || !NetworkSpace.exists(l, next)) {
                    continue;
                }
                double cand = Math.log(t[l][prev][k]) + rest[l][next];
                if (cand > best) {
                    best = cand;
                    arg = next;
                }
            }
            path[l] = arg;
            prev = arg;
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
