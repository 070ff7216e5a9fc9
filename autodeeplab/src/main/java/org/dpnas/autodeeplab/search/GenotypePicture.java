package org.dpnas.autodeeplab.search;

import java.util.List;
import java.util.Locale;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.autodeeplab.NetworkSpace;
import org.dpnas.common.search.darts.CellEdge;

/**
 * Draws a genotype as an SVG a person reads at a glance: on the left the cell (inputs H^{l−2} and
 * H^{l−1}, the B blocks, each with its two chosen inputs and ops, and the concatenated output), on
 * the right the network path (the level, i.e. output stride 4–32, of every layer).
 */
public final class GenotypePicture {

    private static final String[] COLOURS = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
    };

    private GenotypePicture() {}

    /** The SVG document of {@code g}, titled {@code title}. */
    public static String svg(AutoDeepLabGenotype g, String title) {
        int b = g.blocks();
        int cellW = 200 + 95 * b;
        int pathW = 460;
        int graphH = 300;
        int h = graphH + 40 + 18 * b;
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " font-family=\"sans-serif\" font-size=\"12\">%n",
                        cellW + pathW,
                        h));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(s, 10, 20, 15, "bold", escape(title), "#000000");
        text(
                s,
                10,
                42,
                13,
                "bold",
                "cell (B=" + b + ", F=" + g.filterMultiplier() + ")",
                "#000000");
        text(s, cellW + 10, 42, 13, "bold", "network path (L=" + g.layers() + ")", "#000000");

        // cell: inputs on the left, blocks left to right (every edge points right), output last
        double mid = 60 + (graphH - 60) / 2.0;
        double[][] pos = new double[b + 2][];
        pos[0] = new double[] {50, 80};
        pos[1] = new double[] {50, graphH - 20};
        for (int i = 0; i < b; i++) {
            pos[2 + i] = new double[] {170 + 95 * i, mid + (i % 2 == 0 ? -45 : 45)};
        }
        double[] out = {170 + 95 * b, mid};
        for (int i = 0; i < b; i++) {
            line(s, pos[2 + i][0] + 30, pos[2 + i][1], out[0] - 30, out[1], "#cccccc", 1);
        }
        for (int i = 0; i < b; i++) {
            List<CellEdge> edges = g.cell().get(i);
            for (int e = 0; e < edges.size(); e++) {
                CellEdge edge = edges.get(e);
                double[] from = pos[edge.input()];
                double[] to = pos[2 + i];
                String colour = COLOURS[(2 * i + e) % COLOURS.length];
                line(s, from[0] + 30, from[1], to[0] - 30, to[1] + (e == 0 ? -5 : 5), colour, 2);
            }
        }
        node(s, pos[0], "H(l-2)", "#eeeeee");
        node(s, pos[1], "H(l-1)", "#eeeeee");
        for (int i = 0; i < b; i++) {
            node(s, pos[2 + i], "block " + i, "#dbe9f6");
        }
        node(s, out, "concat", "#f6e3cf");
        // the cell in words, each line in the colours of its two edges
        String[] inputs = new String[b + 2];
        inputs[0] = "H(l-2)";
        inputs[1] = "H(l-1)";
        for (int i = 0; i < b; i++) {
            inputs[2 + i] = "block " + i;
            List<CellEdge> edges = g.cell().get(i);
            double y = graphH + 30 + 18 * i;
            text(s, 20, y, 12, "bold", "block " + i + " =", "#000000");
            for (int e = 0; e < edges.size(); e++) {
                CellEdge edge = edges.get(e);
                text(
                        s,
                        90 + 210 * e,
                        y,
                        12,
                        "normal",
                        (e == 0 ? "" : "+ ") + edge.op() + "(" + inputs[edge.input()] + ")",
                        COLOURS[(2 * i + e) % COLOURS.length]);
            }
        }

        // path: layers on x, levels (stride 4 at the top) on y
        int x0 = cellW + 80;
        int y0 = 80;
        double dx = (pathW - 130.0) / Math.max(1, g.layers() - 1);
        double dy = (graphH - 100.0) / (NetworkSpace.LEVELS - 1);
        for (int lv = 0; lv < NetworkSpace.LEVELS; lv++) {
            double y = y0 + lv * dy;
            line(s, x0, y, x0 + dx * (g.layers() - 1), y, "#e5e5e5", 1);
            text(s, x0 - 65, y + 4, 11, "normal", "stride " + NetworkSpace.stride(lv), "#000000");
        }
        StringBuilder pts = new StringBuilder();
        for (int l = 0; l < g.layers(); l++) {
            double x = x0 + l * dx;
            double y = y0 + g.networkPath().get(l) * dy;
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            text(s, x - 4, y0 + 3 * dy + 25, 11, "normal", String.valueOf(l), "#000000");
        }
        s.append(
                String.format(
                        Locale.ROOT,
                        "<polyline points=\"%s\" fill=\"none\" stroke=\"#d62728\""
                                + " stroke-width=\"2.5\"/>%n",
                        pts.toString().trim()));
        for (int l = 0; l < g.layers(); l++) {
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#d62728\"/>%n",
                            x0 + l * dx,
                            y0 + g.networkPath().get(l) * dy));
        }
        text(
                s,
                x0 + dx * (g.layers() - 1) / 2 - 15,
                y0 + 3 * dy + 42,
                11,
                "normal",
                "layer",
                "#000000");
        text(s, x0 - 65, y0 + 3 * dy + 62, 11, "normal", "path " + g.networkPath(), "#000000");
        s.append("</svg>\n");
        return s.toString();
    }

    private static void node(StringBuilder s, double[] p, String label, String fill) {
        s.append(
                String.format(
                        Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"60\" height=\"24\" rx=\"5\""
                                + " fill=\"%s\" stroke=\"#555555\"/>%n",
                        p[0] - 30,
                        p[1] - 12,
                        fill));
        text(s, p[0] - 26, p[1] + 4, 11, "normal", label, "#000000");
    }

    private static void line(
            StringBuilder s, double x1, double y1, double x2, double y2, String c, double w) {
        s.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                                + " stroke-width=\"%.1f\"/>%n",
                        x1,
                        y1,
                        x2,
                        y2,
                        c,
                        w));
    }

    private static void text(
            StringBuilder s, double x, double y, int size, String weight, String t, String fill) {
        s.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" font-weight=\"%s\""
                                + " fill=\"%s\">%s</text>%n",
                        x,
                        y,
                        size,
                        weight,
                        fill,
                        t));
    }

    private static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
