package org.dpnas.common.search.darts;

/**
 * One chosen input of a block in a discrete DARTS cell.
 *
 * @param input 0 and 1 = the cell's two inputs (e.g. H^{l−2}, H^{l−1}), 2 + i = block i
 * @param op the op's genotype name, e.g. {@code sep_conv_3x3}
 */
public record CellEdge(int input, String op) {}
