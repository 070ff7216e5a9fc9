package org.dpnas.datasets.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.dpnas.common.data.Box;
import org.dpnas.common.data.SegSample;
import org.dpnas.datasets.det.DetSample;
import org.junit.jupiter.api.Test;

class JointAugmentTest {

    private static final int[] FILL = {124, 116, 104};

    private static JointAugment aug(long seed, double lo, double hi, int crop, boolean flip) {
        return new JointAugment(seed, lo, hi, crop, crop, flip, 0.2, FILL, Resampler.JAVA);
    }

    @Test
    void sameSeedEpochAndIndexGiveTheSameBytesAndAnotherEpochDiffers() {
        SegSample s = Samples.random("x", 40, 60, 5, 1);
        SegSample a = aug(7, 0.5, 2.0, 32, true).apply(s, 3, 11);
        SegSample b = aug(7, 0.5, 2.0, 32, true).apply(s, 3, 11);
        assertArrayEquals(a.rgb(), b.rgb());
        assertArrayEquals(a.label(), b.label());
        SegSample c = aug(7, 0.5, 2.0, 32, true).apply(s, 4, 11);
        assertFalse(Arrays.equals(a.rgb(), c.rgb()), "epoch 4 must differ from epoch 3");
        SegSample d = aug(8, 0.5, 2.0, 32, true).apply(s, 3, 11);
        assertFalse(Arrays.equals(a.rgb(), d.rgb()), "seed 8 must differ from seed 7");
        assertEquals(32, a.height());
        assertEquals(32, a.width());
    }

    @Test
    void paddingUsesIgnoreLabelAndMeanColour() {
        SegSample s = Samples.random("x", 20, 20, 3, 2);
        // scale 0.5 -> 10x10 inside a 16x16 crop: 100 image pixels, 156 padding pixels
        JointAugment a = new JointAugment(1, 0.5, 0.5, 16, 16, false, 0.0, FILL, Resampler.JAVA);
        for (int index = 0; index < 20; index++) {
            SegSample o = a.apply(s, 0, index);
            Geometry g = a.params(0, index, 20, 20).geometry();
            assertEquals(10, g.validY1() - g.validY0());
            assertEquals(10, g.validX1() - g.validX0());
            int pad = 0;
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    int p = y * 16 + x;
                    boolean inside =
                            y >= g.validY0()
                                    && y < g.validY1()
                                    && x >= g.validX0()
                                    && x < g.validX1();
                    int lab = o.label()[p] & 0xff;
                    if (inside) {
                        assertTrue(lab < 3, "image pixel labelled " + lab);
                    } else {
                        pad++;
                        assertEquals(255, lab);
                        for (int c = 0; c < 3; c++) {
                            assertEquals(FILL[c], o.rgb()[3 * p + c] & 0xff);
                        }
                    }
                }
            }
            assertEquals(156, pad);
        }
    }

    @Test
    void flipMirrorsImageAndLabelExactlyAtScaleOne() {
        SegSample s = Samples.random("x", 6, 9, 4, 3);
        JointAugment a = new JointAugment(5, 1, 1, 0, 0, true, 0.0, FILL, Resampler.JAVA);
        int flipped = 0;
        for (int index = 0; index < 16; index++) {
            SegSample o = a.apply(s, 0, index);
            boolean f = a.params(0, index, 6, 9).geometry().flip();
            flipped += f ? 1 : 0;
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 9; x++) {
                    int src = y * 9 + (f ? 8 - x : x);
                    assertEquals(s.label()[src], o.label()[y * 9 + x]);
                    for (int c = 0; c < 3; c++) {
                        assertEquals(s.rgb()[3 * src + c], o.rgb()[3 * (y * 9 + x) + c]);
                    }
                }
            }
        }
        assertTrue(flipped > 2 && flipped < 14, "flip probability 0.5, got " + flipped + "/16");
    }

    @Test
    void boxesFollowTheMaskUnderRandomScaleCropAndFlip() {
        int h = 40;
        int w = 50;
        byte[] label = new byte[h * w];
        // object of class 1 covering columns 10..29, rows 5..19 -> box [10, 5, 30, 20)
        for (int y = 5; y < 20; y++) {
            for (int x = 10; x < 30; x++) {
                label[y * w + x] = 1;
            }
        }
        SegSample seg = new SegSample("m", h, w, new byte[h * w * 3], label);
        DetSample det =
                new DetSample(
                        "m",
                        h,
                        w,
                        new byte[h * w * 3],
                        List.of(new Box(10, 5, 30, 20, 0)),
                        List.of());
        JointAugment a = new JointAugment(9, 0.5, 2.0, 36, 36, true, 0.0, FILL, Resampler.JAVA);
        int checked = 0;
        for (int index = 0; index < 40; index++) {
            SegSample m = a.apply(seg, 2, index);
            DetSample d = a.apply(det, 2, index);
            int x1 = Integer.MAX_VALUE;
            int y1 = Integer.MAX_VALUE;
            int x2 = -1;
            int y2 = -1;
            for (int y = 0; y < 36; y++) {
                for (int x = 0; x < 36; x++) {
                    if (m.label()[y * 36 + x] == 1) {
                        x1 = Math.min(x1, x);
                        y1 = Math.min(y1, y);
                        x2 = Math.max(x2, x + 1);
                        y2 = Math.max(y2, y + 1);
                    }
                }
            }
            if (x2 < 0) {
                assertTrue(d.boxes().isEmpty(), "box kept although the object left the crop");
                continue;
            }
            assertEquals(1, d.boxes().size());
            Box b = d.boxes().get(0);
            assertEquals(x1, b.x1(), 1.0, "x1 of sample " + index);
            assertEquals(y1, b.y1(), 1.0, "y1 of sample " + index);
            assertEquals(x2, b.x2(), 1.0, "x2 of sample " + index);
            assertEquals(y2, b.y2(), 1.0, "y2 of sample " + index);
            checked++;
        }
        assertTrue(checked > 20, "too few samples kept the object: " + checked);
    }

    @Test
    void boxesAreMappedClippedAndDroppedByHand() {
        // 10x20 source scaled x2 to 20x40, output 16x16 showing scaled rows 4.., columns 10..
        Geometry g = new Geometry(10, 20, 20, 40, 16, 16, 4, 10, false);
        List<Box> in =
                List.of(new Box(5, 2, 10, 8, 3), new Box(0, 0, 4, 1, 1), new Box(15, 6, 19, 10, 2));
        List<Box> out = JointAugment.boxes(in, g);
        assertEquals(List.of(new Box(0, 0, 10, 12, 3)), out);
        // the second box maps to x [-10, -2) and the third to [20, 28): both outside, dropped
        Geometry flipped = new Geometry(10, 20, 20, 40, 16, 16, 4, 10, true);
        assertEquals(
                List.of(new Box(6, 0, 16, 12, 3)), JointAugment.boxes(in.subList(0, 1), flipped));
        // partly outside: clipped to the output
        assertEquals(
                List.of(new Box(0, 0, 4, 2, 1)),
                JointAugment.boxes(List.of(new Box(3, 0, 7, 3, 1)), g));
    }

    @Test
    void scaleStaysInRangeAndSetsTheOutputSizeWithoutCrop() {
        JointAugment a = new JointAugment(4, 0.75, 1.5, 0, 0, false, 0.0, FILL, Resampler.JAVA);
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (int index = 0; index < 300; index++) {
            JointAugment.Params p = a.params(1, index, 100, 80);
            assertTrue(p.scale() >= 0.75 && p.scale() <= 1.5, "scale " + p.scale());
            lo = Math.min(lo, p.scale());
            hi = Math.max(hi, p.scale());
            assertEquals(Math.round(100 * p.scale()), p.geometry().outH());
            assertEquals(Math.round(80 * p.scale()), p.geometry().outW());
        }
        assertTrue(lo < 0.8 && hi > 1.45, "range not covered: [" + lo + ", " + hi + "]");
        SegSample o = a.apply(Samples.random("x", 100, 80, 3, 1), 1, 7);
        assertEquals(a.params(1, 7, 100, 80).geometry().outH(), o.height());
    }

    @Test
    void nearestKeepsLabelValuesAndUpscalesBlocks() {
        byte[] label = {0, 1, 2, 3};
        Geometry g = new Geometry(2, 2, 4, 4, 4, 4, 0, 0, false);
        byte[] out = Resampler.JAVA.label(label, g, 255);
        assertArrayEquals(new byte[] {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3}, out);
    }

    @Test
    void bilinearInterpolatesBetweenPixelCentres() {
        // one row 0, 100 upscaled x2: centres at -0.25, 0.25, 0.75, 1.25 -> 0, 25, 75, 100
        byte[] rgb = {0, 0, 0, 100, 100, 100};
        Geometry g = new Geometry(1, 2, 1, 4, 1, 4, 0, 0, false);
        byte[] out = Resampler.JAVA.image(rgb, g, FILL);
        assertArrayEquals(new byte[] {0, 0, 0, 25, 25, 25, 75, 75, 75, 100, 100, 100}, out);
    }

    @Test
    void openCvAgreesWithJavaWithinRounding() {
        // a smooth image: OpenCV quantises source coordinates to 1/32 pixel, which on noise alone
        // moves values by up to 255/32
        int h = 37;
        int w = 53;
        byte[] rgb = new byte[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[3 * (y * w + x)] = (byte) (4 * x);
                rgb[3 * (y * w + x) + 1] = (byte) (6 * y);
                rgb[3 * (y * w + x) + 2] = (byte) (2 * (x + y));
            }
        }
        SegSample s = new SegSample("x", h, w, rgb, Samples.random("x", h, w, 4, 5).label());
        JointAugment java = new JointAugment(2, 0.5, 2.0, 40, 40, true, 0.0, FILL, Resampler.JAVA);
        JointAugment cv =
                new JointAugment(2, 0.5, 2.0, 40, 40, true, 0.0, FILL, Resampler.named("opencv"));
        for (int index = 0; index < 10; index++) {
            SegSample a = java.apply(s, 0, index);
            SegSample b = cv.apply(s, 0, index);
            assertArrayEquals(a.label(), b.label());
            int worst = 0;
            for (int i = 0; i < a.rgb().length; i++) {
                worst = Math.max(worst, Math.abs((a.rgb()[i] & 0xff) - (b.rgb()[i] & 0xff)));
            }
            assertTrue(worst <= 2, "sample " + index + ": max difference " + worst);
        }
    }

    @Test
    void jitterChangesColoursButNotPaddingOrLabels() {
        SegSample s = Samples.random("x", 20, 20, 3, 2);
        JointAugment plain =
                new JointAugment(1, 0.5, 0.5, 16, 16, false, 0.0, FILL, Resampler.JAVA);
        JointAugment jit = new JointAugment(1, 0.5, 0.5, 16, 16, false, 0.4, FILL, Resampler.JAVA);
        SegSample a = plain.apply(s, 0, 0);
        SegSample b = jit.apply(s, 0, 0);
        assertArrayEquals(a.label(), b.label());
        assertFalse(Arrays.equals(a.rgb(), b.rgb()));
        for (int p = 0; p < 256; p++) {
            if ((a.label()[p] & 0xff) == 255) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(FILL[c], b.rgb()[3 * p + c] & 0xff);
                }
            }
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new JointAugment(0, 2, 1, 0, 0, true, 0, FILL, Resampler.JAVA));
        assertThrows(
                IllegalArgumentException.class,
                () -> new JointAugment(0, 0, 1, 0, 0, true, 0, FILL, Resampler.JAVA));
        assertThrows(
                IllegalArgumentException.class,
                () -> new JointAugment(0, 1, 1, 10, 0, true, 0, FILL, Resampler.JAVA));
        assertThrows(
                IllegalArgumentException.class,
                () -> new JointAugment(0, 1, 1, 0, 0, true, 1.5, FILL, Resampler.JAVA));
        assertThrows(IllegalArgumentException.class, () -> Resampler.named("cuda"));
    }
}
