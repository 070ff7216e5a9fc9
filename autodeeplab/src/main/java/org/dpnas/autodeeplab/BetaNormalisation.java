package org.dpnas.autodeeplab;

import java.util.Locale;

/**
 * How the network-level weights β of one node become the weights of its 2–3 choices (Liu et al.,
 * CVPR 2019, Sec. 3.2, Eq. 6), in the supernet's forward pass and in the Viterbi decoding alike.
 *
 * <p>A node at the boundary levels (0: no UP; 3: no DOWN) has two valid choices, the others three.
 * With a plain softmax over the valid choices, untrained (equal) β give a boundary choice 1/2 and
 * an inner one 1/3, so the Viterbi decoding prefers paths along the boundaries before any training
 * — a prior, not a search result. The reference port (NoamRosenberg/autodeeplab) multiplies the
 * two-choice softmax by 2/3, so every choice of every node weighs 1/3 when β are equal and every
 * network path of the same length scores the same.
 */
public enum BetaNormalisation {
    /** Softmax over the valid choices, times 2/3 at the two-choice levels 0 and 3 (reference). */
    REFERENCE,
    /** Softmax over the valid choices (the choices of a node sum to 1, as the paper's Eq. 6). */
    SOFTMAX;

    /** The factor applied to the softmax at {@code level}: 2/3 at levels 0 and 3 for REFERENCE. */
    public double scale(int level) {
        if (this == SOFTMAX) {
            return 1.0;
        }
        int valid = 0;
        for (int k = 0; k < 3; k++) {
            if (NetworkSpace.valid(level, k)) {
                valid++;
            }
        }
        return valid / 3.0;
    }

    /** The config spelling ({@code reference} or {@code softmax}). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a config value.
     *
     * @param value {@code reference} or {@code softmax}
     * @param key the config key, for the error message
     */
    public static BetaNormalisation parse(String value, String key) {
        for (BetaNormalisation b : values()) {
            if (b.configName().equals(value)) {
                return b;
            }
        }
        throw new IllegalArgumentException(
                key + " must be 'reference' or 'softmax', got '" + value + "'");
    }
}
