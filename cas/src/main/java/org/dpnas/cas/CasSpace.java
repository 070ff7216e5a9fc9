package org.dpnas.cas;

import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.darts.CellEdge;
import org.dpnas.common.search.darts.CellGraph;

/**
 * The CAS search space (Zhang et al., CVPR 2019, Sec. 3.1): a normal and a reduction DARTS cell of
 * B blocks over {@link #OPS} (two inputs kept per block), and a multi-scale cell keeping {@link
 * #MS_KEEP} of the candidate dilation rates; the network's sizes are fixed per space.
 */
public final class CasSpace implements SearchSpace<CasGenotype> {

    /**
     * The candidate ops of the normal and reduction cells: the shared DARTS table without {@code
     * none} (CAS's cells keep two real inputs per block, so the zero op is never chosen; its cost
     * relative to identity is not a property of an op).
     */
    public static final List<OpSpec> OPS =
            OpSpec.darts().stream().filter(o -> o != OpSpec.NONE).toList();

    /** Branches the decoded multi-scale cell keeps. */
    public static final int MS_KEEP = 2;

    /** The default candidate rates of the multi-scale cell (0 = identity), as in ASPP. */
    public static final List<Integer> MS_RATES = List.of(0, 1, 2, 4, 6);

    private final CasSizes sizes;

    /**
     * The space at the given sizes.
     *
     * @param sizes the network's sizes and candidates
     */
    public CasSpace(CasSizes sizes) {
        this.sizes = sizes;
    }

    /** The sizes. */
    public CasSizes sizes() {
        return sizes;
    }

    @Override
    public String method() {
        return CasGenotype.METHOD;
    }

    @Override
    public CasGenotype sample(Random random) {
        CellGraph g = new CellGraph(sizes.blocks());
        List<Integer> rates = new ArrayList<>(sizes.msRates());
        java.util.Collections.shuffle(rates, random);
        int keep = Math.min(MS_KEEP, rates.size());
        return new CasGenotype(
                g.sample(random, sizes.ops(), 2),
                g.sample(random, sizes.ops(), 2),
                List.copyOf(rates.subList(0, keep)),
                sizes.channels(),
                sizes.layers(),
                sizes.msChannels());
    }

    @Override
    public Block build(CasGenotype genotype, int numClasses) {
        return CasNet.fixed(genotype, numClasses, 0);
    }

    @Override
    public CasGenotype fromJson(String json) {
        return CasGenotype.fromJson(json);
    }

    /**
     * The {@code keep} rates with the largest softmax(α_ms) weight, strongest first.
     *
     * @param alpha α_ms, one entry per rate
     * @param rates the candidate rates
     * @param keep how many to keep (at most all)
     */
    public static List<Integer> topRates(float[] alpha, List<Integer> rates, int keep) {
        if (alpha.length != rates.size()) {
            throw new IllegalArgumentException(
                    "α_ms has " + alpha.length + " entries for " + rates.size() + " rates");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < alpha.length; i++) {
            order.add(i);
        }
        // softmax is monotone: the largest α are the largest weights
        order.sort(Comparator.comparingDouble((Integer i) -> -alpha[i]));
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < Math.min(keep, order.size()); i++) {
            out.add(rates.get(order.get(i)));
        }
        return out;
    }

    @Override
    public String describe(CasGenotype g) {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        "CAS: %d cells, C=%d, B=%d, multi-scale M=%d%n",
                        g.layers(), g.channels(), g.blocks(), g.msChannels()));
        b.append("  normal cell:    ").append(cellText(g.normal())).append('\n');
        b.append("  reduction cell: ").append(cellText(g.reduce())).append('\n');
        b.append("  multi-scale:    rates ").append(g.multiscale()).append(" (0 = identity)\n");
        return b.toString();
    }

    private static String cellText(List<List<CellEdge>> cell) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cell.size(); i++) {
            if (i > 0) {
                b.append("; ");
            }
            b.append('b').append(i).append(" = ");
            for (int k = 0; k < cell.get(i).size(); k++) {
                CellEdge e = cell.get(i).get(k);
                if (k > 0) {
                    b.append(" + ");
                }
                b.append(e.op()).append('(').append(stateName(e.input())).append(')');
            }
        }
        return b.toString();
    }

    private static String stateName(int j) {
        return j == 0 ? "c_{k-2}" : j == 1 ? "c_{k-1}" : "b" + (j - 2);
    }

    @Override
    public String picture(CasGenotype g, String title) {
        String[] lines = describe(g).split("\n");
        StringBuilder b = new StringBuilder();
        int h = 24 + 18 * (lines.length + 1);
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1100\" height=\"")
                .append(h)
                .append("\" font-family=\"monospace\" font-size=\"13\">\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append("<text x=\"10\" y=\"20\" font-weight=\"bold\">")
                .append(escape(title))
                .append("</text>\n");
        for (int i = 0; i < lines.length; i++) {
            b.append("<text x=\"10\" y=\"")
                    .append(42 + 18 * i)
                    .append("\">")
                    .append(escape(lines[i]))
                    .append("</text>\n");
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
