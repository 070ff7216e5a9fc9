package org.dpnas.fastdensenas;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An SVG picture of a FastDenseNAS decoder: the four encoder outputs on the left, each decoder cell
 * as a box with lines from the two nodes it reads, the classifier fed by the cells no later cell
 * reads, and below, the searched cell structure in words.
 */
public final class DecoderPicture {

    private static final String[] ENCODER = {
        "enc 0 · stride 4", "enc 1 · stride 8", "enc 2 · stride 16", "enc 3 · stride 32"
    };

    private DecoderPicture() {}

    /**
     * The picture.
     *
     * @param g the genotype
     * @param title the caption
     * @return an SVG document
     */
    public static String svg(DecoderGenotype g, String title) {
        int enc = g.encoderOutputs();
        int cells = g.connections().size();
        int boxW = 150;
        int boxH = 30;
        int colGap = 60;
        int rowGap = 22;
        int top = 44;
        // node positions: encoder outputs in column 0, cell c in column c + 1
        List<int[]> pos = new ArrayList<>();
        for (int i = 0; i < enc; i++) {
            pos.add(new int[] {10, top + i * (boxH + rowGap)});
        }
        for (int c = 0; c < cells; c++) {
            int[] p = g.connections().get(c);
            int y = (pos.get(p[0])[1] + pos.get(p[1])[1]) / 2;
            pos.add(new int[] {10 + (c + 1) * (boxW + colGap), y});
        }
        List<Integer> collect = new ArrayList<>();
        for (int c = 0; c < cells; c++) {
            int[] p = g.connections().get(c);
            collect.remove(Integer.valueOf(p[0]));
            collect.remove(Integer.valueOf(p[1]));
            collect.add(enc + c);
        }
        int clfX = 10 + (cells + 1) * (boxW + colGap);
        int clfY = 0;
        for (int n : collect) {
            clfY += pos.get(n)[1];
        }
        clfY /= collect.size();
        String[] cellText = cellLines(g);
        int graphH = top + Math.max(enc, 1) * (boxH + rowGap);
        int width = clfX + boxW + 20;
        int height = graphH + 30 + 18 * cellText.length;
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " font-family=\"sans-serif\" font-size=\"12\">%n",
                        width,
                        height));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append("<text x=\"10\" y=\"22\" font-weight=\"bold\" font-size=\"14\">")
                .append(escape(title))
                .append("</text>\n");
        for (int c = 0; c < cells; c++) {
            int[] to = pos.get(enc + c);
            for (int in : g.connections().get(c)) {
                line(b, pos.get(in), to, boxW, boxH);
            }
        }
        for (int n : collect) {
            line(b, pos.get(n), new int[] {clfX, clfY}, boxW, boxH);
        }
        for (int i = 0; i < enc; i++) {
            box(b, pos.get(i), boxW, boxH, "#dbe8f6", i < ENCODER.length ? ENCODER[i] : "enc " + i);
        }
        for (int c = 0; c < cells; c++) {
            int[] p = g.connections().get(c);
            box(
                    b,
                    pos.get(enc + c),
                    boxW,
                    boxH,
                    "#fde9c8",
                    "node " + (enc + c) + " = cell(" + p[0] + ") + cell(" + p[1] + ")");
        }
        box(b, new int[] {clfX, clfY}, boxW, boxH, "#d9f0d3", "concat → classifier");
        int y = graphH + 20;
        for (String l : cellText) {
            b.append(
                            String.format(
                                    Locale.ROOT,
                                    "<text x=\"10\" y=\"%d\" font-family=\"monospace\">",
                                    y))
                    .append(escape(l))
                    .append("</text>\n");
            y += 18;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static String[] cellLines(DecoderGenotype g) {
        List<String> out = new ArrayList<>();
        out.add("the searched cell (one structure, own weights per use):");
        out.add("  n1 = " + g.firstOp().label() + "(x)");
        for (int k = 1; k <= g.layers().size(); k++) {
            CellLayer l = g.layers().get(k - 1);
            out.add(
                    "  n"
                            + (3 * k + 1)
                            + " = "
                            + l.op1().label()
                            + "(n"
                            + l.in1()
                            + ") + "
                            + l.op2().label()
                            + "(n"
                            + l.in2()
                            + ")");
        }
        return out.toArray(new String[0]);
    }

    private static void box(StringBuilder b, int[] p, int w, int h, String fill, String text) {
        b.append(
                String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" fill=\"%s\""
                                + " stroke=\"#555\"/>%n<text x=\"%d\" y=\"%d\""
                                + " text-anchor=\"middle\">%s</text>%n",
                        p[0],
                        p[1],
                        w,
                        h,
                        fill,
                        p[0] + w / 2,
                        p[1] + h / 2 + 4,
                        escape(text)));
    }

    private static void line(StringBuilder b, int[] from, int[] to, int w, int h) {
        b.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#777\"/>%n",
                        from[0] + w,
                        from[1] + h / 2,
                        to[0],
                        to[1] + h / 2));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
