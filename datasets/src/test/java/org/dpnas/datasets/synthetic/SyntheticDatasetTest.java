package org.dpnas.datasets.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dpnas.common.data.Box;
import org.dpnas.common.data.SegSample;
import org.junit.jupiter.api.Test;

class SyntheticDatasetTest {

    private static final int IGNORE = SegSample.IGNORE;

    @Test
    void exposesClassNamesAndSize() {
        SyntheticDataset ds = SyntheticDataset.of(3L, "train", 17);
        assertEquals(17, ds.size());
        assertEquals(5, ds.numClasses());
        assertEquals(List.of("background", "disk", "square", "triangle", "ring"), ds.classNames());
        assertEquals(
                List.of("disk", "square", "triangle", "ring"),
                SyntheticDataset.DETECTION_CLASS_NAMES);
        assertEquals("train_000004", ds.sampleId(4));
        SegSample s = ds.get(4);
        assertEquals("train_000004", s.id());
        assertEquals(96, s.height());
        assertEquals(96, s.width());
    }

    @Test
    void honoursNonSquareImageSize() {
        SyntheticDataset ds =
                new SyntheticDataset(SyntheticSpec.of(3L, "val", 2).withImageSize(40, 72));
        SegSample s = ds.get(1);
        assertEquals(40, s.height());
        assertEquals(72, s.width());
        assertEquals(40 * 72 * 3, s.rgb().length);
        for (Box b : ds.boxes(1)) {
            assertTrue(b.x1() >= 0 && b.x2() <= 72 && b.y1() >= 0 && b.y2() <= 40, b::toString);
        }
    }

    @Test
    void rejectsIndexOutOfRangeAndNullSpec() {
        SyntheticDataset ds = SyntheticDataset.of(1L, "train", 5);
        IndexOutOfBoundsException e =
                assertThrows(IndexOutOfBoundsException.class, () -> ds.get(5));
        assertTrue(e.getMessage().contains("index 5 out of range 0..4"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> ds.get(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.boxes(5));
        assertThrows(NullPointerException.class, () -> new SyntheticDataset(null));
    }

    @Test
    void sameSeedAndIndexGiveIdenticalBytesRegardlessOfOrder() {
        SyntheticDataset a = SyntheticDataset.of(42L, "train", 20);
        SyntheticDataset b = SyntheticDataset.of(42L, "train", 20);
        SegSample[] forward = new SegSample[20];
        for (int i = 0; i < 20; i++) {
            forward[i] = a.get(i);
        }
        for (int i = 19; i >= 0; i--) {
            SegSample s = b.get(i);
            assertArrayEquals(forward[i].rgb(), s.rgb(), "rgb of sample " + i);
            assertArrayEquals(forward[i].label(), s.label(), "label of sample " + i);
            assertEquals(a.boxes(i), b.boxes(i), "boxes of sample " + i);
        }
        // content does not depend on the split size
        SyntheticDataset bigger = SyntheticDataset.of(42L, "train", 500);
        assertArrayEquals(forward[7].rgb(), bigger.get(7).rgb());
    }

    @Test
    void differentSeedSplitOrIndexGiveDifferentImages() {
        byte[] base = SyntheticDataset.of(1L, "train", 10).get(3).rgb();
        assertFalse(Arrays.equals(base, SyntheticDataset.of(2L, "train", 10).get(3).rgb()));
        assertFalse(Arrays.equals(base, SyntheticDataset.of(1L, "val", 10).get(3).rgb()));
        assertFalse(Arrays.equals(base, SyntheticDataset.of(1L, "train", 10).get(4).rgb()));
    }

    @Test
    void concurrentAccessMatchesSequentialAccess() throws Exception {
        SyntheticDataset ds = SyntheticDataset.of(9L, "train", 64);
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < ds.size(); i++) {
            expected.add(ds.get(i).label());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<SegSample>> futures = new ArrayList<>();
            for (int i = ds.size() - 1; i >= 0; i--) {
                int index = i;
                futures.add(pool.submit(() -> ds.get(index)));
            }
            for (int f = 0; f < futures.size(); f++) {
                int index = ds.size() - 1 - f;
                assertArrayEquals(expected.get(index), futures.get(f).get().label());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void labelsAreClassIdsOrIgnoreAndEveryImageHasAnObject() {
        SyntheticDataset ds = SyntheticDataset.of(5L, "train", 100);
        for (int i = 0; i < ds.size(); i++) {
            byte[] label = ds.get(i).label();
            int objectPixels = 0;
            for (byte v : label) {
                int l = v & 0xFF;
                assertTrue(l <= 4 || l == IGNORE, "label " + l + " in sample " + i);
                if (l >= 1 && l <= 4) {
                    objectPixels++;
                }
            }
            assertTrue(objectPixels > 0, "sample " + i + " has no object pixel");
        }
    }

    @Test
    void ignoreBandFollowsIgnoreBorderAndOnlyCoversObjectPixels() {
        SyntheticSpec spec = SyntheticSpec.of(11L, "train", 30);
        SyntheticDataset none = new SyntheticDataset(spec.withIgnoreBorder(0));
        SyntheticDataset one = new SyntheticDataset(spec.withIgnoreBorder(1));
        SyntheticDataset three = new SyntheticDataset(spec.withIgnoreBorder(3));
        for (int i = 0; i < spec.size(); i++) {
            SegSample s0 = none.get(i);
            SegSample s1 = one.get(i);
            SegSample s3 = three.get(i);
            // the border only changes labels, never the image
            assertArrayEquals(s0.rgb(), s1.rgb());
            assertArrayEquals(s0.rgb(), s3.rgb());
            int ignored1 = 0;
            int ignored3 = 0;
            for (int p = 0; p < s0.label().length; p++) {
                int l0 = s0.label()[p] & 0xFF;
                int l1 = s1.label()[p] & 0xFF;
                int l3 = s3.label()[p] & 0xFF;
                assertNotEquals(IGNORE, l0, "ignore pixel with ignoreBorder 0");
                if (l1 == IGNORE) {
                    ignored1++;
                    assertNotEquals(0, l0, "background pixel marked ignore");
                    assertEquals(IGNORE, l3, "a wider band must contain the narrower one");
                } else {
                    assertEquals(l0, l1, "non-ignore labels must not change");
                }
                if (l3 == IGNORE) {
                    ignored3++;
                    assertNotEquals(0, l0, "background pixel marked ignore");
                }
            }
            assertTrue(ignored1 > 0, "no ignore pixel in sample " + i);
            assertTrue(ignored3 > ignored1, "band of 3 px not wider than 1 px in sample " + i);
        }
    }

    @Test
    void ignoreBandIsExactlyTheInnerOutlineOfWidthOne() {
        SyntheticSpec spec = SyntheticSpec.of(12L, "train", 10).withMaxObjects(1);
        SyntheticDataset none = new SyntheticDataset(spec.withIgnoreBorder(0));
        SyntheticDataset one = new SyntheticDataset(spec);
        int h = spec.height();
        int w = spec.width();
        for (int i = 0; i < spec.size(); i++) {
            byte[] l0 = none.get(i).label();
            byte[] l1 = one.get(i).label();
            assertEquals(1, one.boxes(i).size()); // so label edges are exactly instance edges
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int c = l0[y * w + x];
                    if (c == 0) {
                        continue;
                    }
                    boolean nearOther = false;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int yy = y + dy;
                            int xx = x + dx;
                            if (yy >= 0 && yy < h && xx >= 0 && xx < w && l0[yy * w + xx] != c) {
                                nearOther = true;
                            }
                        }
                    }
                    assertEquals(
                            nearOther, (l1[y * w + x] & 0xFF) == IGNORE, "pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void singleObjectBoxIsTightAroundItsLabelledPixels() {
        SyntheticDataset ds =
                new SyntheticDataset(SyntheticSpec.of(21L, "train", 60).withMaxObjects(1));
        int w = ds.spec().width();
        int h = ds.spec().height();
        for (int i = 0; i < ds.size(); i++) {
            byte[] label = ds.get(i).label();
            List<Box> boxes = ds.boxes(i);
            assertEquals(1, boxes.size(), "one object, one box in sample " + i);
            int minX = w;
            int minY = h;
            int maxX = -1;
            int maxY = -1;
            int cls = -1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int l = label[y * w + x] & 0xFF;
                    if (l == 0) {
                        continue;
                    }
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                    if (l != IGNORE) {
                        assertTrue(cls == -1 || cls == l, "two classes with one object");
                        cls = l;
                    }
                }
            }
            Box expected = new Box(minX, minY, maxX + 1, maxY + 1, cls - 1);
            assertEquals(expected, boxes.get(0), "sample " + i);
        }
    }

    @Test
    void everyObjectPixelLiesInABoxOfItsClass() {
        SyntheticDataset ds = SyntheticDataset.of(31L, "val", 40);
        int w = ds.spec().width();
        for (int i = 0; i < ds.size(); i++) {
            SyntheticDataset.Annotated a = ds.annotated(i);
            assertArrayEquals(ds.get(i).rgb(), a.sample().rgb());
            assertEquals(ds.boxes(i), a.boxes());
            assertFalse(a.boxes().isEmpty());
            assertTrue(a.boxes().size() <= ds.spec().maxObjects());
            byte[] label = a.sample().label();
            for (int p = 0; p < label.length; p++) {
                int l = label[p] & 0xFF;
                if (l == 0 || l == IGNORE) {
                    continue;
                }
                float x = p % w + 0.5f;
                float y = p / w + 0.5f;
                boolean covered = false;
                for (Box b : a.boxes()) {
                    covered |=
                            b.classId() == l - 1
                                    && x > b.x1()
                                    && x < b.x2()
                                    && y > b.y1()
                                    && y < b.y2();
                }
                assertTrue(covered, "pixel " + p + " of class " + l + " in sample " + i);
            }
            for (Box b : a.boxes()) {
                assertTrue(b.width() >= 1 && b.height() >= 1, b::toString);
                assertTrue(b.classId() >= 0 && b.classId() < 4, b::toString);
            }
        }
    }

    @Test
    void fullyOccludedObjectsGetNoBox() {
        // With many large objects, some earlier ones end up completely hidden.
        SyntheticDataset ds =
                new SyntheticDataset(
                        SyntheticSpec.of(5L, "train", 200)
                                .withImageSize(32, 32)
                                .withMaxObjects(64));
        int fewerBoxesThanObjects = 0;
        for (int i = 0; i < ds.size(); i++) {
            int drawn = SyntheticRenderer.render(ds.spec(), i).objectClass().length;
            int boxes = ds.boxes(i).size();
            assertTrue(boxes <= drawn);
            if (boxes < drawn) {
                fewerBoxesThanObjects++;
            }
        }
        assertTrue(fewerBoxesThanObjects > 0, "expected some fully occluded objects");
    }

    @Test
    void everyClassOccursOver200Images() {
        SyntheticDataset ds = SyntheticDataset.of(77L, "train", 200);
        long[] pixels = new long[256];
        int[] boxes = new int[4];
        for (int i = 0; i < ds.size(); i++) {
            for (byte v : ds.get(i).label()) {
                pixels[v & 0xFF]++;
            }
            for (Box b : ds.boxes(i)) {
                boxes[b.classId()]++;
            }
        }
        long total = 200L * 96 * 96;
        for (int c = 0; c < 5; c++) {
            assertTrue(pixels[c] > total / 200, "class " + c + " has only " + pixels[c] + " px");
        }
        for (int c = 0; c < 4; c++) {
            assertTrue(boxes[c] > 60, "detection class " + c + " has only " + boxes[c] + " boxes");
        }
        assertTrue(pixels[0] > total / 3, "background should dominate");
    }

    @Test
    void backgroundIsTexturedNotFlat() {
        SyntheticDataset ds = SyntheticDataset.of(8L, "train", 30);
        for (int i = 0; i < ds.size(); i++) {
            SegSample s = ds.get(i);
            double sum = 0;
            double sumSq = 0;
            int n = 0;
            for (int p = 0; p < s.label().length; p++) {
                if (s.label()[p] == 0) {
                    int g =
                            (s.rgb()[3 * p] & 0xFF)
                                    + (s.rgb()[3 * p + 1] & 0xFF)
                                    + (s.rgb()[3 * p + 2] & 0xFF);
                    sum += g;
                    sumSq += (double) g * g;
                    n++;
                }
            }
            double std = Math.sqrt(sumSq / n - (sum / n) * (sum / n));
            assertTrue(std > 10, "background of sample " + i + " is nearly flat: std " + std);
        }
    }

    @Test
    void colourIsAStrongButImperfectCueForTheClass() {
        SyntheticDataset ds = SyntheticDataset.of(13L, "train", 100);
        long correct = 0;
        long total = 0;
        for (int i = 0; i < ds.size(); i++) {
            SegSample s = ds.get(i);
            for (int p = 0; p < s.label().length; p++) {
                int l = s.label()[p] & 0xFF;
                if (l == 0 || l == IGNORE) {
                    continue;
                }
                float hue =
                        hue(
                                s.rgb()[3 * p] & 0xFF,
                                s.rgb()[3 * p + 1] & 0xFF,
                                s.rgb()[3 * p + 2] & 0xFF);
                int best = 0;
                float bestDist = Float.MAX_VALUE;
                for (int c = 0; c < 4; c++) {
                    float d = Math.abs(hue - SyntheticRenderer.BASE_HUE[c]);
                    d = Math.min(d, 360f - d);
                    if (d < bestDist) {
                        bestDist = d;
                        best = c + 1;
                    }
                }
                correct += best == l ? 1 : 0;
                total++;
            }
        }
        double accuracy = (double) correct / total;
        assertTrue(accuracy > 0.8, "nearest-hue accuracy " + accuracy);
        assertTrue(accuracy < 0.98, "colour alone should not be a perfect cue: " + accuracy);
    }

    private static float hue(int r, int g, int b) {
        int max = Math.max(r, Math.max(g, b));
        int min = Math.min(r, Math.min(g, b));
        if (max == min) {
            return 0f;
        }
        float d = max - min;
        float h;
        if (max == r) {
            h = ((g - b) / d) % 6f;
        } else if (max == g) {
            h = (b - r) / d + 2f;
        } else {
            h = (r - g) / d + 4f;
        }
        h *= 60f;
        return h < 0 ? h + 360f : h;
    }
}
