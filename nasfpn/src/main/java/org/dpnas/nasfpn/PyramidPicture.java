package org.dpnas.nasfpn;

import java.util.List;

/**
 * Draws a pyramid genotype as SVG: one row per level (P7 on top), input nodes in the left column,
 * each merging cell in its own column at its level, edges from its inputs (and absorbed nodes,
 * dashed), output cells outlined in bold, attention cells shaded.
 */
final class PyramidPicture {

    private PyramidPicture() {}

    static String svg(PyramidGenotype g, String title) {
        int l = g.levels();
        int n = l + g.cells().size();
        int colW = 90;
        int rowH = 60;
        int w = 60 + colW * (g.cells().size() + 1);
        int h = 50 + rowH * l;
        double[][] pos = new double[n][];
        for (int j = 0; j < n; j++) {
            int col = j < l ? 0 : j - l + 1;
            int row = g.maxLevel() - g.levelOf(j);
            pos[j] = new double[] {40 + col * colW, 50 + row * rowH};
        }
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " font-family=\"sans-serif\" font-size=\"11\">%n",
                        w, h));
        sb.append(String.format("<text x=\"10\" y=\"18\">%s</text>%n", escape(title)));
        List<List<Integer>> absorbed = g.absorbed();
        for (int i = 0; i < g.cells().size(); i++) {
            MergingCell c = g.cells().get(i);
            int node = l + i;
            line(sb, pos[c.input1()], pos[node], false);
            line(sb, pos[c.input2()], pos[node], false);
            for (int a : absorbed.get(i)) {
                line(sb, pos[a], pos[node], true);
            }
        }
        for (int j = 0; j < n; j++) {
            boolean output = j >= n - l;
            boolean att = j >= l && "attention".equals(g.cells().get(j - l).op());
            sb.append(
                    String.format(
                            "<rect x=\"%.0f\" y=\"%.0f\" width=\"56\" height=\"24\" rx=\"4\""
                                    + " fill=\"%s\" stroke=\"black\" stroke-width=\"%d\"/>%n",
                            pos[j][0] - 28,
                            pos[j][1] - 12,
                            att ? "#f4d19b" : "#ffffff",
                            output ? 3 : 1));
            String label = (j < l ? "in" : (att ? "att" : "sum") + " ") + "P" + g.levelOf(j);
            sb.append(
                    String.format(
                            "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>%n",
                            pos[j][0], pos[j][1] + 4, label));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void line(StringBuilder sb, double[] a, double[] b, boolean dashed) {
        sb.append(
                String.format(
                        "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#555\"%s/>%n",
                        a[0] + 28,
                        a[1],
                        b[0] - 28,
                        b[1],
                        dashed ? " stroke-dasharray=\"4 3\"" : ""));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
