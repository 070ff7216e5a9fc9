package org.dpnas.autodeeplab;

import java.util.Locale;

/**
 * How the search supernet brings an H^{l−1} input down one level (to half the resolution) before a
 * cell: the DOWN choice of the network-level search (Liu et al., CVPR 2019, Sec. 3.2).
 *
 * <p>The paper (Sec. 3.2, Fig. 1) uses a stride-2 convolution; the reference port
 * (NoamRosenberg/autodeeplab) resizes bilinearly and then applies the neighbour's 1×1 ReLU-conv-BN.
 * The retrain network ({@code retrain.AutoDeepLabNet}) always uses stride-2 3×3 convolutions.
 */
public enum DownTransition {
    /**
     * Bilinear down-sampling ({@code align_corners=True}), then the 1×1 ReLU-conv-BN (reference).
     */
    BILINEAR,
    /** A 3×3 stride-2 ReLU-conv-BN in place of the 1×1 one, no interpolation (paper). */
    CONV;

    /** The config spelling ({@code bilinear} or {@code conv}). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a config value.
     *
     * @param value {@code bilinear} or {@code conv}
     * @param key the config key, for the error message
     */
    public static DownTransition parse(String value, String key) {
        for (DownTransition d : values()) {
            if (d.configName().equals(value)) {
                return d;
            }
        }
        throw new IllegalArgumentException(
                key + " must be 'bilinear' or 'conv', got '" + value + "'");
    }
}
