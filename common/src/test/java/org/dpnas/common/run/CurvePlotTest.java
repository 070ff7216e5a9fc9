package org.dpnas.common.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurvePlotTest {

    @TempDir Path dir;

    private static double[] range(int n) {
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i * 10;
        }
        return xs;
    }

    private static CurvePlot lossAndMiou() {
        CurvePlot plot = new CurvePlot("test run");
        double[] xs = range(100);
        double[] loss = new double[100];
        double[] miou = new double[100];
        for (int i = 0; i < 100; i++) {
            loss[i] = 2.0 * Math.exp(-i / 30.0) + 0.1;
            miou[i] = 0.7 * (1 - Math.exp(-i / 25.0));
        }
        plot.panel("loss", "step").series("train loss", xs, loss);
        plot.panel("mIoU", "step").series("val mIoU", xs, miou);
        return plot;
    }

    private static int nonWhite(BufferedImage img) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Counts pixels within a small per-channel tolerance of {@code c}. */
    private static int countNear(BufferedImage img, Color c, int tol) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (Math.abs(r - c.getRed()) <= tol
                        && Math.abs(g - c.getGreen()) <= tol
                        && Math.abs(b - c.getBlue()) <= tol) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void writesPngOfRequestedSizeThatIsNotBlank() throws IOException {
        Path png = dir.resolve("sub/curves.png");
        lossAndMiou().write(png, 640, 480);
        assertTrue(Files.isRegularFile(png));
        byte[] head = Files.readAllBytes(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
        assertEquals('N', head[2]);
        assertEquals('G', head[3]);
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        assertEquals(640, img.getWidth());
        assertEquals(480, img.getHeight());
        assertEquals(0xFFFFFF, img.getRGB(0, 0) & 0xFFFFFF, "white background");
        assertTrue(nonWhite(img) > 3000, "too few drawn pixels: " + nonWhite(img));
    }

    @Test
    void seriesColourAppearsAlongTheLineNotOnlyInTheLegend() {
        CurvePlot plot = new CurvePlot("");
        double[] xs = range(50);
        double[] ys = new double[50];
        for (int i = 0; i < 50; i++) {
            ys[i] = i;
        }
        plot.panel("y", "x").series("first", xs, ys).series("second", xs, ys.clone());
        // second series overlaps the first exactly, so only its colour should be on the line
        BufferedImage img = plot.render(800, 600);
        int second = countNear(img, CurvePlot.seriesColor(1), 12);
        int first = countNear(img, CurvePlot.seriesColor(0), 12);
        // a diagonal across ~700x500 px drawn 2 px wide covers far more than a 22 px legend swatch
        assertTrue(second > 400, "second colour pixels: " + second);
        assertTrue(first < 150, "first colour should be hidden except in legend: " + first);
        assertTrue(first > 10, "first colour should be in the legend: " + first);
    }

    @Test
    void paletteColoursAreDistinct() {
        for (int i = 0; i < 10; i++) {
            for (int j = i + 1; j < 10; j++) {
                assertNotEquals(CurvePlot.seriesColor(i), CurvePlot.seriesColor(j));
            }
        }
        assertEquals(CurvePlot.seriesColor(0), CurvePlot.seriesColor(10));
    }

    @Test
    void nonFinitePointsAreSkippedAndBreakTheLine() {
        double[] xs = {0, 1, 2, 3, 4, 5, 6};
        double[] ys = {1, 2, Double.NaN, 3, Double.POSITIVE_INFINITY, 4, 5};
        CurvePlot plot = new CurvePlot("nan");
        plot.panel("loss", "step").series("loss", xs, ys);
        BufferedImage img = plot.render(400, 300);
        assertTrue(countNear(img, CurvePlot.seriesColor(0), 12) > 100);

        // a break: the gap between x=1 and x=3 has no line pixels, unlike a fully finite copy
        CurvePlot solid = new CurvePlot("nan");
        solid.panel("loss", "step").series("loss", xs, new double[] {1, 2, 2.5, 3, 3.5, 4, 5});
        int broken = countNear(img, CurvePlot.seriesColor(0), 12);
        int full = countNear(solid.render(400, 300), CurvePlot.seriesColor(0), 12);
        assertTrue(broken < full, broken + " vs " + full);
    }

    @Test
    void onlyNonFiniteValuesGiveNoDataWithoutThrowing() throws IOException {
        CurvePlot plot = new CurvePlot("x");
        plot.panel("loss", "step")
                .series("loss", new double[] {0, 1}, new double[] {Double.NaN, Double.NaN});
        Path png = dir.resolve("nan.png");
        plot.write(png, 300, 200);
        assertEquals(300, ImageIO.read(png.toFile()).getWidth());
    }

    @Test
    void singlePointIsDrawnAsMarker() {
        CurvePlot plot = new CurvePlot("");
        plot.panel("mIoU", "step").series("val", new double[] {5}, new double[] {0.3});
        BufferedImage img = plot.render(400, 300);
        // legend swatch is 22x~3 px; a 7 px disc adds roughly 38 more
        CurvePlot noPoint = new CurvePlot("");
        noPoint.panel("mIoU", "step")
                .series("val", new double[] {5}, new double[] {Double.NaN})
                .series("other", new double[] {5}, new double[] {0.3});
        int withMarker = countNear(img, CurvePlot.seriesColor(0), 12);
        int legendOnly = countNear(noPoint.render(400, 300), CurvePlot.seriesColor(0), 12);
        assertTrue(withMarker >= legendOnly + 25, withMarker + " vs " + legendOnly);
    }

    @Test
    void emptyPanelAndEmptyPlotRender() {
        CurvePlot plot = new CurvePlot("empty");
        plot.panel("loss", "step");
        BufferedImage img = plot.render(300, 200);
        assertTrue(nonWhite(img) > 100, "axes, labels and 'no data' expected");
        assertTrue(nonWhite(new CurvePlot("").render(100, 100)) > 0, "'no data' expected");
    }

    @Test
    void panelIsReusedForSameLabelsAndStackedOtherwise() {
        CurvePlot plot = new CurvePlot("t");
        CurvePlot.Panel a = plot.panel("loss", "step");
        assertSame(a, plot.panel("loss", "step"));
        CurvePlot.Panel b = plot.panel("mIoU", "step");
        assertEquals(List.of(a, b), plot.panels());
        assertThrows(
                IllegalArgumentException.class,
                () -> a.series("bad", new double[] {1, 2}, new double[] {1}));
    }

    @Test
    void logScaleRendersAndSkipsNonPositive() {
        CurvePlot plot = new CurvePlot("log");
        plot.panel("loss", "step")
                .logY(true)
                .series("loss", new double[] {0, 1, 2, 3}, new double[] {10, 1, 0, 0.01});
        BufferedImage img = plot.render(400, 300);
        assertTrue(countNear(img, CurvePlot.seriesColor(0), 12) > 60);
    }

    @Test
    void overwritingReplacesFileAndLeavesNoTempFiles() throws IOException {
        Path png = dir.resolve("curves.png");
        lossAndMiou().write(png, 320, 240);
        new CurvePlot("second").write(png, 200, 100);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(200, img.getWidth());
        assertEquals(100, img.getHeight());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names =
                    files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
            assertEquals(List.of("curves.png"), names);
        }
    }

    @Test
    void tooSmallImageIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new CurvePlot("").render(10, 10));
    }

    @Test
    void niceTicksForUnitRange() {
        assertArrayEquals(
                new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, AxisTicks.linear(0, 0.93), 0.0);
    }

    @Test
    void niceTicksForPercentRange() {
        assertArrayEquals(new double[] {0, 20, 40, 60, 80, 100}, AxisTicks.linear(3, 97), 0.0);
    }

    @Test
    void niceTicksUseTwoAndAHalf() {
        // 0..0.74: step 0.1 would need 9 ticks, 0.2 gives 0..0.8 (5)
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8}, AxisTicks.linear(0, 0.74), 0.0);
        // 0..1.1: step 0.2 would need 7 ticks (0..1.2), 0.25 gives 0..1.25 (6)
        assertArrayEquals(
                new double[] {0, 0.25, 0.5, 0.75, 1, 1.25}, AxisTicks.linear(0, 1.1), 0.0);
        assertArrayEquals(new double[] {-10, -5, 0, 5, 10}, AxisTicks.linear(-9, 7), 0.0);
        assertArrayEquals(
                new double[] {1000, 1500, 2000, 2500, 3000}, AxisTicks.linear(1200, 2900), 0.0);
    }

    @Test
    void niceTicksDegenerateRanges() {
        assertArrayEquals(new double[] {4.5, 4.75, 5, 5.25, 5.5}, AxisTicks.linear(5, 5), 0.0);
        assertArrayEquals(new double[] {-1, -0.5, 0, 0.5, 1}, AxisTicks.linear(0, 0), 0.0);
        assertArrayEquals(
                new double[] {0, 0.2, 0.4, 0.6, 0.8, 1}, AxisTicks.linear(Double.NaN, 1), 0.0);
        assertArrayEquals(new double[] {0, 20, 40, 60, 80, 100}, AxisTicks.linear(97, 3), 0.0);
    }

    @Test
    void niceTicksAlwaysCoverRangeWithFourToSix() {
        double[][] ranges = {{0, 1}, {0.013, 0.017}, {-3e5, 7e6}, {1e-7, 3e-7}, {12, 12.9}};
        for (double[] r : ranges) {
            double[] t = AxisTicks.linear(r[0], r[1]);
            assertTrue(t.length >= 4 && t.length <= 6, "count for " + r[0] + ".." + r[1]);
            assertTrue(t[0] <= r[0] && t[t.length - 1] >= r[1], "cover " + r[0] + ".." + r[1]);
        }
    }

    @Test
    void tickLabelsUseStepPrecision() {
        assertEquals("0.6", AxisTicks.label(0.6, 0.2));
        assertEquals("0.75", AxisTicks.label(0.75, 0.25));
        assertEquals("100", AxisTicks.label(100, 20));
        assertEquals("0", AxisTicks.label(0, 20));
        assertEquals("2.50e+07", AxisTicks.label(2.5e7, 5e6));
    }

    @Test
    void logTicksArePowersOfTen() {
        assertArrayEquals(new double[] {0.01, 0.1, 1, 10}, AxisTicks.log(0.02, 9), 1e-15);
        assertEquals("0.01", AxisTicks.logLabel(0.01));
        assertEquals("1e-5", AxisTicks.logLabel(1e-5));
    }
}
