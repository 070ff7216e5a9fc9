package org.dpnas.fastdensenas;

/**
 * One layer after the first in a FastDenseNAS cell: two earlier nodes, an op on each, the results
 * summed. Nodes are numbered as the reference numbers them: 0 is the cell input, 1 the first
 * layer's output, and layer {@code k ≥ 1} adds nodes {@code 3k−1}, {@code 3k} (its two op outputs)
 * and {@code 3k+1} (their sum), so it may read nodes {@code 0 … 3k−2}.
 *
 * @param in1 the first input node
 * @param in2 the second input node
 * @param op1 the op on the first input
 * @param op2 the op on the second input
 */
public record CellLayer(int in1, int in2, DecoderOp op1, DecoderOp op2) {

    /** Validates what does not depend on the layer's position. */
    public CellLayer {
        if (op1 == null || op2 == null) {
            throw new IllegalArgumentException("a cell layer needs two ops");
        }
        if (in1 < 0 || in2 < 0) {
            throw new IllegalArgumentException(
                    "cell layer inputs must be >= 0, got " + in1 + ", " + in2);
        }
    }

    /** The number of nodes layer {@code k} (from 1) may read. */
    public static int inputChoices(int k) {
        return 3 * k - 1;
    }
}
