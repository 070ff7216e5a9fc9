package org.dpnas.nasfpn;

/**
 * One merging cell of a NAS-FPN pyramid (Ghiasi et al., CVPR 2019, section 3.1): two input nodes,
 * the output level and the binary op. Nodes {@code 0 … L−1} are the input levels (P3 … P7 for L =
 * 5); cell {@code i} creates node {@code L + i}.
 *
 * @param input1 first input node
 * @param input2 second input node
 * @param level output pyramid level
 * @param op {@code "sum"} or {@code "attention"} (global-attention pooling)
 */
public record MergingCell(int input1, int input2, int level, String op) {

    /** The binary ops a cell may choose. */
    public static final java.util.List<String> OPS = java.util.List.of("sum", "attention");

    /** Validates the op name. */
    public MergingCell {
        if (!OPS.contains(op)) {
            throw new IllegalArgumentException(
                    "merging cell op '" + op + "' is not one of " + String.join(", ", OPS));
        }
    }
}
