package org.dpnas.common.search;

import java.util.Locale;

/** How a one-shot search turns architecture parameters into the weights of an edge's ops. */
public enum OneShotStrategy {
    /**
     * DARTS's continuous relaxation (Liu et al., ICLR 2019, Eq. 1–2): every op of an edge runs,
     * weighted by softmax(α); first-order bilevel optimisation.
     */
    BILEVEL,
    /**
     * GDAS (Dong &amp; Yang, CVPR 2019, Sec. 3.2): one op per edge drawn by Gumbel-max in the
     * forward pass, only that op runs, and the gradient of softmax((α + g) / τ) flows back.
     */
    GDAS;

    /** The configuration name ({@code bilevel}, {@code gdas}). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a configuration value.
     *
     * @param name the value
     * @param key the configuration key, for the error message
     * @throws IllegalArgumentException naming the key and the accepted values
     */
    public static OneShotStrategy parse(String name, String key) {
        for (OneShotStrategy s : values()) {
            if (s.configName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException(
                key + ": unknown one-shot strategy '" + name + "', expected bilevel or gdas");
    }
}
