package org.dpnas.fbnet;

import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.dpnas.common.search.SearchSpace;

/**
 * FBNet's layer-wise space (Wu et al., CVPR 2019, Sec. 3.1): the macro-architecture of {@link
 * FbnetSizes} with one of the nine {@link FbnetOp} candidates in every searchable layer, 9^L
 * architectures for L layers.
 */
public final class FbnetSpace implements SearchSpace<FbnetGenotype> {

    private final FbnetSizes sizes;

    /**
     * Creates the space.
     *
     * @param sizes the encoder and head sizes genotypes are sampled at
     */
    public FbnetSpace(FbnetSizes sizes) {
        this.sizes = sizes;
    }

    @Override
    public String method() {
        return FbnetGenotype.METHOD;
    }

    @Override
    public FbnetGenotype sample(Random random) {
        List<FbnetOp> ops = new ArrayList<>();
        for (int l = 0; l < sizes.layerCount(); l++) {
            ops.add(FbnetOp.ALL.get(random.nextInt(FbnetOp.ALL.size())));
        }
        return new FbnetGenotype(
                ops,
                sizes.width(),
                sizes.depths(),
                sizes.outputStride(),
                sizes.headChannels(),
                sizes.asppRates());
    }

    @Override
    public Block build(FbnetGenotype genotype, int numClasses) {
        return FbnetNet.fixed(genotype, numClasses);
    }

    @Override
    public FbnetGenotype fromJson(String json) {
        return FbnetGenotype.fromJson(json);
    }

    @Override
    public String describe(FbnetGenotype g) {
        FbnetSizes s = g.sizes(2);
        List<FbnetSizes.Layer> layers = s.layers();
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "FBNet encoder: width %s, depths %s, output stride %d, stem %d; head ASPP %d"
                                + " rates %s%n",
                        g.width(),
                        g.depths(),
                        g.outputStride(),
                        s.stemChannels(),
                        g.headChannels(),
                        g.asppRates()));
        for (int l = 0; l < layers.size(); l++) {
            FbnetSizes.Layer y = layers.get(l);
            b.append(
                    String.format(
                            Locale.ROOT,
                            "  layer %2d  %-9s %4d -> %-4d stride %d%s%n",
                            l,
                            g.ops().get(l).opName(),
                            y.in(),
                            y.out(),
                            y.stride(),
                            y.dilation() > 1 ? " dilation " + y.dilation() : ""));
        }
        return b.toString();
    }

    /**
     * The layers as a row of boxes, one per layer: width grows with the expansion, the colour tells
     * the kernel (3: blue, 5: orange), a hatched outline marks group 2, skip is a thin grey bar.
     */
    @Override
    public String picture(FbnetGenotype g, String title) {
        List<FbnetSizes.Layer> layers = g.sizes(2).layers();
        int x = 10;
        StringBuilder boxes = new StringBuilder();
        for (int l = 0; l < layers.size(); l++) {
            FbnetOp op = g.ops().get(l);
            int w = op.isSkip() ? 6 : 14 + 6 * op.expansion();
            String fill = op.isSkip() ? "#bbbbbb" : op.kernel() == 3 ? "#4e79a7" : "#f28e2b";
            int h = 40 + 8 * Integer.numberOfTrailingZeros(layers.get(l).inputStride());
            boxes.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\""
                                    + " stroke=\"black\"%s/>%n",
                            x,
                            130 - h,
                            w,
                            h,
                            fill,
                            op.groups() > 1 ? " stroke-dasharray=\"3,2\" stroke-width=\"2\"" : ""));
            boxes.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"150\" font-size=\"9\" transform=\"rotate(60 %d"
                                    + " 150)\">%s</text>%n",
                            x,
                            x,
                            op.opName()));
            x += w + 6;
        }
        int width = Math.max(420, x + 10);
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
                + width
                + "\" height=\"210\" font-family=\"monospace\" font-size=\"12\">\n"
                + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
                + "<text x=\"10\" y=\"18\" font-weight=\"bold\">"
                + escape(title)
                + "</text>\n"
                + "<text x=\"10\" y=\"34\">blue k3, orange k5, width ~ expansion, dashed g2, grey"
                + " skip; height ~ stride</text>\n"
                + boxes
                + "</svg>\n";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
