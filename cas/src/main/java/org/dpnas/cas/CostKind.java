package org.dpnas.cas;

import java.util.Locale;

/** The resource a CAS search penalises ({@code search.cost}), with the unit its costs are in. */
public enum CostKind {
    /** Measured latency at batch 1, milliseconds. */
    LATENCY("ms"),
    /** Trainable parameters, millions. */
    PARAMS("M params"),
    /** Multiply-adds at batch 1, millions. */
    MACS("M MACs");

    private final String unit;

    CostKind(String unit) {
        this.unit = unit;
    }

    /** The unit of a cost of this kind. */
    public String unit() {
        return unit;
    }

    /**
     * Parses {@code latency}, {@code params} or {@code macs}.
     *
     * @throws IllegalArgumentException naming the key and the valid values
     */
    public static CostKind parse(String s) {
        for (CostKind k : values()) {
            if (k.name().toLowerCase(Locale.ROOT).equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException(
                "search.cost is '" + s + "', expected one of latency, params, macs");
    }
}
