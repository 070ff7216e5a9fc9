package org.dpnas.fbnet;

import java.util.List;
import java.util.Locale;

/**
 * The nine candidate blocks of every FBNet layer (Wu et al., CVPR 2019, Table 2): inverted-residual
 * blocks with a depthwise kernel of 3 or 5, an expansion of 1, 3 or 6, group-1 or (at expansion 1)
 * group-2 pointwise convolutions with a channel shuffle, and {@code skip}.
 */
public enum FbnetOp {
    /** k3, expansion 1. */
    K3_E1(3, 1, 1),
    /** k3, expansion 1, group 2 with channel shuffle. */
    K3_E1_G2(3, 1, 2),
    /** k3, expansion 3. */
    K3_E3(3, 3, 1),
    /** k3, expansion 6. */
    K3_E6(3, 6, 1),
    /** k5, expansion 1. */
    K5_E1(5, 1, 1),
    /** k5, expansion 1, group 2 with channel shuffle. */
    K5_E1_G2(5, 1, 2),
    /** k5, expansion 3. */
    K5_E3(5, 3, 1),
    /** k5, expansion 6. */
    K5_E6(5, 6, 1),
    /** The identity (a strided 1×1 projection where the layer changes the shape). */
    SKIP(0, 0, 1);

    /** Every candidate, in the column order of θ. */
    public static final List<FbnetOp> ALL = List.of(values());

    private final int kernel;
    private final int expansion;
    private final int groups;

    FbnetOp(int kernel, int expansion, int groups) {
        this.kernel = kernel;
        this.expansion = expansion;
        this.groups = groups;
    }

    /** The depthwise kernel size (0 for skip). */
    public int kernel() {
        return kernel;
    }

    /** The expansion ratio e (0 for skip). */
    public int expansion() {
        return expansion;
    }

    /** The groups of the pointwise convolutions. */
    public int groups() {
        return groups;
    }

    /** Whether this is the skip candidate. */
    public boolean isSkip() {
        return this == SKIP;
    }

    /** The paper's name, e.g. {@code k3_e1_g2} or {@code skip}. */
    public String opName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a name written by {@link #opName()}.
     *
     * @param name the name
     * @param where what is being read, for the message (e.g. {@code 'ops'[3]})
     * @throws IllegalArgumentException naming {@code where} and the accepted names
     */
    public static FbnetOp parse(String name, String where) {
        for (FbnetOp op : values()) {
            if (op.opName().equals(name)) {
                return op;
            }
        }
        StringBuilder known = new StringBuilder();
        for (FbnetOp op : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(op.opName());
        }
        throw new IllegalArgumentException(
                where + ": unknown FBNet block '" + name + "', expected one of " + known);
    }
}
