package org.dpnas.cas;

import java.util.List;
import org.dpnas.common.nn.ops.OpSpec;

/**
 * The sizes of a CAS network and the candidates of its supernet.
 *
 * @param numClasses output classes
 * @param channels C of the first cell (doubled at each reduction cell)
 * @param layers number of normal and reduction cells (reductions at layers/3 and 2·layers/3)
 * @param blocks B, blocks per cell
 * @param msChannels M, channels of the multi-scale cell
 * @param msRates candidate rates of the multi-scale cell's branches (0 = identity)
 * @param ops candidate ops of the normal and reduction cells' edges
 */
public record CasSizes(
        int numClasses,
        int channels,
        int layers,
        int blocks,
        int msChannels,
        List<Integer> msRates,
        List<OpSpec> ops) {

    /** Validates the sizes, naming the wrong one. */
    public CasSizes {
        positive("num_classes", numClasses);
        positive("channels", channels);
        positive("layers", layers);
        positive("blocks", blocks);
        positive("ms_channels", msChannels);
        if (msRates == null || msRates.isEmpty()) {
            throw new IllegalArgumentException("'ms_rates' must list at least one rate");
        }
        msRates = List.copyOf(msRates);
        if (ops == null || ops.isEmpty()) {
            throw new IllegalArgumentException("'ops' must list at least one op");
        }
        ops = List.copyOf(ops);
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException("'" + name + "' must be >= 1, got " + v);
        }
    }

    /** Whether cell {@code l} is a reduction cell (DARTS placement: layers/3 and 2·layers/3). */
    public boolean isReduction(int l) {
        return l == layers / 3 || l == 2 * layers / 3;
    }

    /** Edges per cell, B(B + 3)/2. */
    public int edges() {
        return blocks * (blocks + 3) / 2;
    }
}
