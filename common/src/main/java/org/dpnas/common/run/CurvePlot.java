package org.dpnas.common.run;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Renders training curves as vertically stacked line-chart panels and writes them to a PNG file.
 *
 * <p>Typical use:
 *
 * <pre>{@code
 * CurvePlot plot = new CurvePlot("run 42");
 * plot.panel("loss", "step").series("train loss", steps, losses);
 * plot.panel("mIoU", "step").series("val mIoU", evalSteps, mious);
 * plot.write(runDir.resolve("curves.png"), 900, 700);
 * }</pre>
 *
 * <p>Non-finite points are skipped and break the line; isolated points are drawn as markers. All
 * drawing is headless-safe. Instances are not thread-safe.
 */
public final class CurvePlot {

    private static final Color[] PALETTE = {
        new Color(0x1F, 0x5F, 0xBF), // blue
        new Color(0xE0, 0x6A, 0x10), // orange
        new Color(0x2A, 0x9D, 0x3A), // green
        new Color(0xC8, 0x24, 0x2E), // red
        new Color(0x7B, 0x4F, 0xB0), // purple
        new Color(0x8A, 0x5A, 0x44), // brown
        new Color(0xD9, 0x4F, 0xA8), // pink
        new Color(0x55, 0x55, 0x55), // grey
        new Color(0xA8, 0xA8, 0x1C), // olive
        new Color(0x17, 0xA8, 0xBA), // cyan
    };

    private static final Color GRID = new Color(0xE4, 0xE4, 0xE4);
    private static final Color AXIS = new Color(0x33, 0x33, 0x33);
    private static final int TITLE_HEIGHT = 32;

    private final String title;
    private final List<Panel> panels = new ArrayList<>();

    /**
     * Creates an empty plot.
     *
     * @param title text drawn centred above the first panel (may be empty)
     */
    public CurvePlot(String title) {
        this.title = title == null ? "" : title;
    }

    /** Returns the plot title. */
    public String title() {
        return title;
    }

    /**
     * Returns the panel with these axis labels, creating it (below the existing ones) if absent.
     *
     * @param yLabel y-axis label, e.g. {@code "loss"}
     * @param xLabel x-axis label, e.g. {@code "step"}
     */
    public Panel panel(String yLabel, String xLabel) {
        for (Panel p : panels) {
            if (p.yLabel.equals(yLabel) && p.xLabel.equals(xLabel)) {
                return p;
            }
        }
        Panel p = new Panel(yLabel, xLabel);
        panels.add(p);
        return p;
    }

    /** Returns the panels in drawing order (top to bottom), unmodifiable. */
    public List<Panel> panels() {
        return Collections.unmodifiableList(panels);
    }

    /** Returns the colour given to the {@code index}-th series of a panel (the palette repeats). */
    public static Color seriesColor(int index) {
        return PALETTE[Math.floorMod(index, PALETTE.length)];
    }

    /**
     * Renders the plot into a new RGB image.
     *
     * @param width image width in pixels (at least 64)
     * @param height image height in pixels (at least 64)
     */
    public BufferedImage render(int width, int height) {
        if (width < 64 || height < 64) {
            throw new IllegalArgumentException("image too small: " + width + "x" + height);
        }
        ensureHeadless();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            int top = 0;
            if (!title.isEmpty()) {
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
                g.setColor(Color.BLACK);
                FontMetrics fm = g.getFontMetrics();
                g.drawString(title, (width - fm.stringWidth(title)) / 2, 8 + fm.getAscent());
                top = TITLE_HEIGHT;
            }
            if (panels.isEmpty()) {
                drawCentered(g, "no data", 0, top, width, height - top);
                return img;
            }
            int n = panels.size();
            int avail = height - top;
            for (int i = 0; i < n; i++) {
                int y0 = top + avail * i / n;
                int y1 = top + avail * (i + 1) / n;
                panels.get(i).draw(g, 0, y0, width, y1 - y0);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /**
     * Renders the plot and writes it as a PNG, atomically replacing any existing file: the image
     * goes to a temporary file in the target directory which is then moved into place.
     *
     * @param png destination file; missing parent directories are created
     * @param width image width in pixels
     * @param height image height in pixels
     * @throws IOException if the image cannot be written or moved
     */
    public void write(Path png, int width, int height) throws IOException {
        Objects.requireNonNull(png, "png");
        BufferedImage img = render(width, height);
        Path target = png.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = AtomicFiles.tempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available");
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static void drawCentered(Graphics2D g, String text, int x, int y, int w, int h) {
        g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 14));
        g.setColor(Color.GRAY);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(text, x + (w - fm.stringWidth(text)) / 2, y + (h + fm.getAscent()) / 2 - 2);
    }

    /** One subplot: a set of named series sharing x and y axes. */
    public static final class Panel {
        private final String yLabel;
        private final String xLabel;
        private final List<Series> series = new ArrayList<>();
        private boolean logY;

        private Panel(String yLabel, String xLabel) {
            this.yLabel = yLabel == null ? "" : yLabel;
            this.xLabel = xLabel == null ? "" : xLabel;
        }

        /** Returns the y-axis label. */
        public String yLabel() {
            return yLabel;
        }

        /** Returns the x-axis label. */
        public String xLabel() {
            return xLabel;
        }

        /** Returns the number of series added so far. */
        public int seriesCount() {
            return series.size();
        }

        /**
         * Switches the y axis to a base-10 log scale; non-positive values are then skipped.
         *
         * @return this panel
         */
        public Panel logY(boolean on) {
            this.logY = on;
            return this;
        }

        /**
         * Adds a line; the arrays are copied. Its colour is {@link CurvePlot#seriesColor} of its
         * index in this panel.
         *
         * @param name legend text
         * @param xs x values
         * @param ys y values, same length as {@code xs}
         * @return this panel
         */
        public Panel series(String name, double[] xs, double[] ys) {
            if (xs.length != ys.length) {
                throw new IllegalArgumentException(
                        "xs and ys differ in length: " + xs.length + " vs " + ys.length);
            }
            series.add(new Series(name == null ? "" : name, xs.clone(), ys.clone()));
            return this;
        }

        private boolean usable(double x, double y) {
            return Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0);
        }

        private void draw(Graphics2D g, int px, int py, int pw, int ph) {
            Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
            Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
            double xMin = Double.POSITIVE_INFINITY;
            double xMax = Double.NEGATIVE_INFINITY;
            double yMin = Double.POSITIVE_INFINITY;
            double yMax = Double.NEGATIVE_INFINITY;
            for (Series s : series) {
                for (int i = 0; i < s.xs.length; i++) {
                    if (usable(s.xs[i], s.ys[i])) {
                        xMin = Math.min(xMin, s.xs[i]);
                        xMax = Math.max(xMax, s.xs[i]);
                        yMin = Math.min(yMin, s.ys[i]);
                        yMax = Math.max(yMax, s.ys[i]);
                    }
                }
            }
            boolean empty = xMin > xMax;
            double[] xt = AxisTicks.linear(empty ? 0 : xMin, empty ? 1 : xMax);
            double[] yt =
                    logY
                            ? AxisTicks.log(empty ? 1 : yMin, empty ? 10 : yMax)
                            : AxisTicks.linear(empty ? 0 : yMin, empty ? 1 : yMax);
            String[] yLabels = new String[yt.length];
            g.setFont(tickFont);
            FontMetrics tfm = g.getFontMetrics();
            int yLabelWidth = 0;
            for (int i = 0; i < yt.length; i++) {
                yLabels[i] =
                        logY
                                ? AxisTicks.logLabel(yt[i])
                                : AxisTicks.label(yt[i], AxisTicks.stepOf(yt));
                yLabelWidth = Math.max(yLabelWidth, tfm.stringWidth(yLabels[i]));
            }
            int left = px + 26 + yLabelWidth + 8;
            int right = px + pw - 16;
            int topY = py + 10;
            int bottom = py + ph - (tfm.getHeight() + 26);
            if (right - left < 10 || bottom - topY < 10) {
                return; // no room
            }
            Scale sx = new Scale(xt[0], xt[xt.length - 1], left, right, false);
            Scale sy = new Scale(yt[0], yt[yt.length - 1], bottom, topY, logY);

            // grid and ticks
            g.setStroke(new BasicStroke(1f));
            for (int i = 0; i < xt.length; i++) {
                double x = sx.map(xt[i]);
                g.setColor(GRID);
                g.draw(new Line2D.Double(x, topY, x, bottom));
                g.setColor(AXIS);
                g.draw(new Line2D.Double(x, bottom, x, bottom + 4));
                String t = AxisTicks.label(xt[i], AxisTicks.stepOf(xt));
                g.drawString(
                        t, (float) (x - tfm.stringWidth(t) / 2.0), bottom + 6 + tfm.getAscent());
            }
            for (int i = 0; i < yt.length; i++) {
                double y = sy.map(yt[i]);
                g.setColor(GRID);
                g.draw(new Line2D.Double(left, y, right, y));
                g.setColor(AXIS);
                g.draw(new Line2D.Double(left - 4, y, left, y));
                g.drawString(
                        yLabels[i],
                        left - 6 - tfm.stringWidth(yLabels[i]),
                        (float) (y + tfm.getAscent() / 2.0 - 1));
            }
            g.setColor(AXIS);
            g.drawRect(left, topY, right - left, bottom - topY);

            // axis labels
            g.setFont(labelFont);
            FontMetrics lfm = g.getFontMetrics();
            g.drawString(
                    xLabel,
                    (left + right - lfm.stringWidth(xLabel)) / 2,
                    py + ph - lfm.getDescent() - 2);
            AffineTransform saved = g.getTransform();
            g.translate(px + 4 + lfm.getAscent(), (topY + bottom + lfm.stringWidth(yLabel)) / 2.0);
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, 0, 0);
            g.setTransform(saved);

            if (empty) {
                drawCentered(g, "no data", left, topY, right - left, bottom - topY);
                return;
            }

            // series, clipped to the plot area
            java.awt.Shape clip = g.getClip();
            g.clipRect(left - 4, topY - 4, right - left + 9, bottom - topY + 9);
            g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            for (int k = 0; k < series.size(); k++) {
                drawSeries(g, series.get(k), seriesColor(k), sx, sy);
            }
            g.setClip(clip);
            drawLegend(g, labelFont, left, right, topY);
        }

        private void drawSeries(Graphics2D g, Series s, Color c, Scale sx, Scale sy) {
            g.setColor(c);
            Path2D.Double path = new Path2D.Double();
            int run = 0; // consecutive usable points in the current segment
            double lastX = 0;
            double lastY = 0;
            for (int i = 0; i <= s.xs.length; i++) {
                boolean ok = i < s.xs.length && usable(s.xs[i], s.ys[i]);
                if (ok) {
                    double x = sx.map(s.xs[i]);
                    double y = sy.map(s.ys[i]);
                    if (run == 0) {
                        path.moveTo(x, y);
                    } else {
                        path.lineTo(x, y);
                    }
                    run++;
                    lastX = x;
                    lastY = y;
                } else {
                    if (run == 1) {
                        g.fill(new Ellipse2D.Double(lastX - 3.5, lastY - 3.5, 7, 7));
                    }
                    run = 0;
                }
            }
            g.draw(path);
        }

        private void drawLegend(Graphics2D g, Font font, int left, int right, int topY) {
            if (series.isEmpty()) {
                return;
            }
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            int textW = 0;
            for (Series s : series) {
                textW = Math.max(textW, fm.stringWidth(s.name));
            }
            int rowH = fm.getHeight() + 2;
            int boxW = 8 + 22 + 6 + textW + 8;
            int boxH = 6 + rowH * series.size() + 2;
            int bx = Math.max(left + 4, right - 8 - boxW);
            int by = topY + 8;
            g.setColor(new Color(255, 255, 255, 225));
            g.fillRect(bx, by, boxW, boxH);
            g.setColor(new Color(0xB0, 0xB0, 0xB0));
            g.setStroke(new BasicStroke(1f));
            g.drawRect(bx, by, boxW, boxH);
            g.setStroke(new BasicStroke(2.5f));
            for (int k = 0; k < series.size(); k++) {
                int rowY = by + 4 + rowH * k;
                double mid = rowY + rowH / 2.0;
                g.setColor(seriesColor(k));
                g.draw(new Line2D.Double(bx + 8, mid, bx + 30, mid));
                g.setColor(Color.BLACK);
                g.drawString(series.get(k).name, bx + 36, (float) (mid + fm.getAscent() / 2.0 - 2));
            }
        }
    }

    private record Series(String name, double[] xs, double[] ys) {}

    /** Maps data values to pixel coordinates along one axis. */
    private static final class Scale {
        private final double d0;
        private final double d1;
        private final double p0;
        private final double p1;
        private final boolean log;

        Scale(double d0, double d1, double p0, double p1, boolean log) {
            this.log = log;
            this.d0 = log ? Math.log10(d0) : d0;
            this.d1 = log ? Math.log10(d1) : d1;
            this.p0 = p0;
            this.p1 = p1;
        }

        double map(double v) {
            double d = log ? Math.log10(v) : v;
            return p0 + (d - d0) / (d1 - d0) * (p1 - p0);
        }
    }
}
