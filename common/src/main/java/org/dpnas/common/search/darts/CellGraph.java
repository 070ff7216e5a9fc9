package org.dpnas.common.search.darts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.dpnas.common.nn.ops.OpSpec;

/**
 * The graph of a DARTS cell (Liu et al., ICLR 2019, Sec. 2.1): B blocks, block i reading the two
 * cell inputs and every earlier block (i + 2 edges), so B(B + 3)/2 edges in all, ordered block by
 * block (edge {@code i(i+3)/2 + j} is input j of block i) — the row order of α. It derives the
 * discrete cell from α (top-k inputs per block by their strongest non-{@code none} op, Sec. 2.4)
 * and samples discrete cells uniformly.
 */
public final class CellGraph {

    private final int blocks;

    /**
     * A cell of {@code blocks} blocks.
     *
     * @param blocks B ≥ 1
     */
    public CellGraph(int blocks) {
        if (blocks < 1) {
            throw new IllegalArgumentException("a cell needs at least 1 block, got " + blocks);
        }
        this.blocks = blocks;
    }

    /** B. */
    public int blocks() {
        return blocks;
    }

    /** Number of edges, B(B + 3)/2. */
    public int edges() {
        return blocks * (blocks + 3) / 2;
    }

    /** The index of edge (block i, input j) in α's rows. */
    public static int edgeIndex(int block, int input) {
        return block * (block + 3) / 2 + input;
    }

    /** Edges that read state j (0, 1 = the cell inputs, j ≥ 2 = block j − 2). */
    public static int edgesFrom(int blocks, int j) {
        return j < 2 ? blocks : blocks - j + 1;
    }

    /** The block that the e-th edge reading state j feeds. */
    public static int blockOf(int j, int e) {
        return Math.max(0, j - 1) + e;
    }

    /**
     * The discrete cell: per block, the {@code k} inputs whose strongest non-{@code none} op has
     * the largest softmax(α) weight (strongest first), each with that op.
     *
     * @param alpha raw α, one row per edge, one column per op of {@code ops}
     * @param ops the op table, in the order of α's columns
     * @param k inputs kept per block
     */
    public List<List<CellEdge>> derive(float[][] alpha, List<OpSpec> ops, int k) {
        if (alpha.length != edges()) {
            throw new IllegalArgumentException(
                    "α has "
                            + alpha.length
                            + " rows, a cell of "
                            + blocks
                            + " blocks has "
                            + edges());
        }
        requireFinite("α", alpha);
        List<List<CellEdge>> cell = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            if (k > i + 2) {
                throw new IllegalArgumentException(
                        "block " + i + " has " + (i + 2) + " inputs, cannot keep " + k);
            }
            int[] bestOp = new int[i + 2];
            double[] strength = new double[i + 2];
            for (int j = 0; j < i + 2; j++) {
                double[] p = softmax(alpha[edgeIndex(i, j)], ops.size());
                int best = -1;
                for (int o = 0; o < p.length; o++) {
                    if (ops.get(o) != OpSpec.NONE && (best < 0 || p[o] > p[best])) {
                        best = o;
                    }
                }
                if (best < 0) {
                    throw new IllegalArgumentException("the op list has only 'none'");
                }
                bestOp[j] = best;
                strength[j] = p[best];
            }
            List<Integer> order = new ArrayList<>();
            for (int j = 0; j < i + 2; j++) {
                order.add(j);
            }
            order.sort(Comparator.comparingDouble((Integer j) -> -strength[j]));
            List<CellEdge> block = new ArrayList<>();
            for (int r = 0; r < k; r++) {
                int j = order.get(r);
                block.add(new CellEdge(j, ops.get(bestOp[j]).opName()));
            }
            cell.add(block);
        }
        return cell;
    }

    /**
     * A discrete cell drawn uniformly: per block, {@code k} distinct inputs (every subset equally
     * likely, in a uniformly random order) each with an op drawn uniformly from the non-{@code
     * none} ops of {@code ops}.
     */
    public List<List<CellEdge>> sample(Random random, List<OpSpec> ops, int k) {
        List<OpSpec> real = ops.stream().filter(o -> o != OpSpec.NONE).toList();
        if (real.isEmpty()) {
            throw new IllegalArgumentException("the op list has only 'none'");
        }
        List<List<CellEdge>> cell = new ArrayList<>();
        for (int i = 0; i < blocks; i++) {
            List<Integer> inputs = new ArrayList<>();
            for (int j = 0; j < i + 2; j++) {
                inputs.add(j);
            }
            java.util.Collections.shuffle(inputs, random);
            List<CellEdge> block = new ArrayList<>();
            for (int r = 0; r < k; r++) {
                block.add(
                        new CellEdge(
                                inputs.get(r), real.get(random.nextInt(real.size())).opName()));
            }
            cell.add(block);
        }
        return cell;
    }

    private static double[] softmax(float[] row, int n) {
        if (row.length != n) {
            throw new IllegalArgumentException("α row has " + row.length + " entries, not " + n);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) {
            max = Math.max(max, v);
        }
        double[] p = new double[n];
        double z = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(row[i] - max);
            z += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= z;
        }
        return p;
    }

    /**
     * Refuses architecture parameters that are NaN or infinite, naming the first such entry: a
     * diverged search must never become a genotype.
     *
     * @param name the parameters' name in the message ("α", "β")
     * @param values one row per edge (or node)
     */
    public static void requireFinite(String name, float[][] values) {
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < values[r].length; c++) {
                if (!Float.isFinite(values[r][c])) {
                    throw new IllegalArgumentException(
                            name
                                    + "["
                                    + r
                                    + "]["
                                    + c
                                    + "] is "
                                    + values[r][c]
                                    + ": the architecture parameters diverged, no genotype is"
                                    + " derived from them");
                }
            }
        }
    }
}
