package org.dpnas.autodeeplab;

import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dpnas.autodeeplab.retrain.AutoDeepLabNet;
import org.dpnas.autodeeplab.search.GenotypePicture;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.darts.CellEdge;
import org.dpnas.common.search.darts.CellGraph;

/**
 * The Auto-DeepLab space at fixed sizes (F, B, L; Liu et al., CVPR 2019, Sec. 3): a DARTS cell of B
 * blocks with two inputs each over the DARTS op table, and a network path of L levels that starts
 * at stride 4 and moves at most one level per layer.
 */
public final class AutoDeepLabSpace implements SearchSpace<AutoDeepLabGenotype> {

    private final int filterMultiplier;
    private final int blocks;
    private final int layers;

    /**
     * The space at sizes F, B, L.
     *
     * @param filterMultiplier F
     * @param blocks B
     * @param layers L
     */
    public AutoDeepLabSpace(int filterMultiplier, int blocks, int layers) {
        if (filterMultiplier < 1 || blocks < 1 || layers < 1) {
            throw new IllegalArgumentException(
                    "space sizes must be positive, got F="
                            + filterMultiplier
                            + ", B="
                            + blocks
                            + ", L="
                            + layers);
        }
        this.filterMultiplier = filterMultiplier;
        this.blocks = blocks;
        this.layers = layers;
    }

    @Override
    public String method() {
        return AutoDeepLabGenotype.METHOD;
    }

    /**
     * A uniform draw: the cell as {@link CellGraph#sample} draws it (two distinct inputs and a
     * non-{@code none} op per block) and the network path uniform over all valid paths (counted by
     * dynamic programming, then drawn layer by layer in proportion to the paths that remain).
     */
    @Override
    public AutoDeepLabGenotype sample(Random random) {
        List<List<CellEdge>> cell = new CellGraph(blocks).sample(random, OpSpec.darts(), 2);
        return new AutoDeepLabGenotype(filterMultiplier, blocks, layers, cell, samplePath(random));
    }

    /** Number of valid completions from (layer l at level s) to the last layer. */
    private long[][] completions() {
        int levels = NetworkSpace.LEVELS;
        long[][] n = new long[layers][levels];
        for (int s = 0; s < levels; s++) {
            n[layers - 1][s] = NetworkSpace.exists(layers - 1, s) ? 1 : 0;
        }
        for (int l = layers - 2; l >= 0; l--) {
            for (int s = 0; s < levels; s++) {
                if (!NetworkSpace.exists(l, s)) {
                    continue;
                }
                for (int t = Math.max(0, s - 1); t <= Math.min(levels - 1, s + 1); t++) {
                    n[l][s] += n[l + 1][t];
                }
            }
        }
        return n;
    }

    private List<Integer> samplePath(Random random) {
        long[][] n = completions();
        List<Integer> path = new ArrayList<>();
        int prev = 0; // the stem is at level 0
        for (int l = 0; l < layers; l++) {
            long total = 0;
            for (int s = Math.max(0, prev - 1);
                    s <= Math.min(NetworkSpace.LEVELS - 1, prev + 1);
                    s++) {
                total += n[l][s];
            }
            long pick = (long) Math.floor(random.nextDouble() * total);
            int chosen = -1;
            for (int s = Math.max(0, prev - 1);
                    s <= Math.min(NetworkSpace.LEVELS - 1, prev + 1);
                    s++) {
                if (pick < n[l][s]) {
                    chosen = s;
                    break;
                }
                pick -= n[l][s];
            }
            path.add(chosen);
            prev = chosen;
        }
        return path;
    }

    /** Number of valid network paths of this space. */
    public long pathCount() {
        long[][] n = completions();
        return n[0][0] + n[0][1];
    }

    @Override
    public Block build(AutoDeepLabGenotype genotype, int numClasses) {
        return new AutoDeepLabNet(genotype, AutoDeepLabNet.Settings.of(genotype, numClasses));
    }

    @Override
    public AutoDeepLabGenotype fromJson(String json) {
        return AutoDeepLabGenotype.fromJson(json);
    }

    @Override
    public String describe(AutoDeepLabGenotype g) {
        StringBuilder out = new StringBuilder();
        out.append("network path (level per layer, stride 4·2^level): ")
                .append(g.networkPath())
                .append('\n');
        out.append("cell:\n");
        for (int i = 0; i < g.cell().size(); i++) {
            StringBuilder line = new StringBuilder("  block " + i + " = ");
            boolean first = true;
            for (CellEdge e : g.cell().get(i)) {
                if (!first) {
                    line.append(" + ");
                }
                first = false;
                String in =
                        e.input() == 0
                                ? "H(l-2)"
                                : e.input() == 1 ? "H(l-1)" : "block " + (e.input() - 2);
                line.append(e.op()).append('(').append(in).append(')');
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    @Override
    public String picture(AutoDeepLabGenotype genotype, String title) {
        return GenotypePicture.svg(genotype, title);
    }
}
