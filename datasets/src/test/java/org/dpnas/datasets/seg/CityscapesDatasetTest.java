package org.dpnas.datasets.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dpnas.common.data.SegSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CityscapesDatasetTest {

    @TempDir Path root;

    private Path image(String split, String city, String stem) {
        return root.resolve("leftImg8bit/" + split + "/" + city + "/" + stem + "_leftImg8bit.png");
    }

    private Path label(String split, String city, String stem) {
        return root.resolve("gtFine/" + split + "/" + city + "/" + stem + "_gtFine_labelIds.png");
    }

    @Test
    void mapsLabelIdsToTrainIds() {
        byte[] rgb = TestFiles.pattern(4 * 3 * 3, 5);
        TestFiles.writeRgbPng(image("val", "zurich", "zurich_000001_000019"), 4, 3, rgb);
        // 7 road, 8 sidewalk, 26 car, 33 bicycle, 0 unlabeled, 1 ego, 6 ground, 34 undefined,
        // 255, 31 train, 24 person, 23 sky
        TestFiles.writeGrayPng(
                label("val", "zurich", "zurich_000001_000019"),
                4,
                3,
                7,
                8,
                26,
                33,
                0,
                1,
                6,
                34,
                255,
                31,
                24,
                23);
        TestFiles.writeRgbPng(image("val", "aachen", "aachen_000000_000019"), 2, 1);
        TestFiles.writeGrayPng(label("val", "aachen", "aachen_000000_000019"), 2, 1, 21, 17);

        CityscapesDataset ds = new CityscapesDataset(root, "val");
        assertEquals(2, ds.size());
        assertEquals(19, ds.numClasses());
        SegSample first = ds.get(0);
        assertEquals("aachen_000000_000019", first.id());
        assertArrayEquals(new byte[] {8, 5}, first.label());

        SegSample s = ds.get(1);
        assertEquals("zurich_000001_000019", s.id());
        assertEquals(3, s.height());
        assertEquals(4, s.width());
        assertArrayEquals(rgb, s.rgb());
        byte x = (byte) 255;
        assertArrayEquals(new byte[] {0, 1, 13, 18, x, x, x, x, x, 16, 11, 10}, s.label());
    }

    @Test
    void concurrentReadsMatchSequentialReads() throws Exception {
        int n = 12;
        for (int i = 0; i < n; i++) {
            String stem = String.format("koeln_%06d_000019", i);
            TestFiles.writeRgbPng(image("train", "koeln", stem), 16, 8);
            int[] ids = new int[128];
            for (int p = 0; p < ids.length; p++) {
                ids[p] = (p * 7 + i) % 40;
            }
            TestFiles.writeGrayPng(label("train", "koeln", stem), 16, 8, ids);
        }
        CityscapesDataset ds = new CityscapesDataset(root, "train");
        List<SegSample> sequential = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sequential.add(ds.get(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<SegSample>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < n; i++) {
                    int k = i;
                    futures.add(pool.submit(() -> ds.get(k)));
                }
            }
            for (int f = 0; f < futures.size(); f++) {
                SegSample got = futures.get(f).get();
                SegSample want = sequential.get(f % n);
                assertEquals(want.id(), got.id());
                assertArrayEquals(want.rgb(), got.rgb());
                assertArrayEquals(want.label(), got.label());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void lookupTableHasExactlyTheNineteenOfficialIds() {
        int[] expected = {7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33};
        List<Integer> mapped = new ArrayList<>();
        for (int id = -1; id < 256; id++) {
            if (CityscapesDataset.trainId(id) != 255) {
                mapped.add(id);
            }
        }
        assertEquals(19, mapped.size());
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], mapped.get(t));
            assertEquals(t, CityscapesDataset.trainId(expected[t]));
        }
        assertEquals(255, CityscapesDataset.trainId(-1));
        assertEquals("traffic light", CityscapesDataset.CLASS_NAMES.get(6));
        assertEquals("bicycle", CityscapesDataset.CLASS_NAMES.get(18));
    }

    @Test
    void missingLabelNamesImageAndLabel() {
        Path img = TestFiles.writeRgbPng(image("train", "bonn", "bonn_000000_000019"), 2, 2);
        TestFiles.writeText(root.resolve("gtFine/train/bonn/readme.txt"), "x");
        CityscapesDataset ds = new CityscapesDataset(root, "train"); // files checked per sample
        DatasetException e = assertThrows(DatasetException.class, () -> ds.get(0));
        assertTrue(e.getMessage().contains(img.toString()), e.getMessage());
        assertTrue(
                e.getMessage().contains(label("train", "bonn", "bonn_000000_000019").toString()),
                e.getMessage());
    }

    @Test
    void sizeMismatchNamesFileAndBothSizes() {
        TestFiles.writeRgbPng(image("train", "bonn", "bonn_000000_000019"), 5, 3);
        Path lab = label("train", "bonn", "bonn_000000_000019");
        TestFiles.writeGrayPng(lab, 4, 3, new int[12]);
        CityscapesDataset ds = new CityscapesDataset(root, "train");
        DatasetException e = assertThrows(DatasetException.class, () -> ds.get(0));
        assertTrue(e.getMessage().contains(lab.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("4x3"), e.getMessage());
        assertTrue(e.getMessage().contains("5x3"), e.getMessage());
    }

    @Test
    void truncatedImageIsNamed() {
        Path img = TestFiles.writeRgbPng(image("train", "bonn", "bonn_000000_000019"), 64, 64);
        TestFiles.writeGrayPng(label("train", "bonn", "bonn_000000_000019"), 64, 64, new int[4096]);
        TestFiles.truncate(img, 200);
        CityscapesDataset ds = new CityscapesDataset(root, "train");
        DatasetException e = assertThrows(DatasetException.class, () -> ds.get(0));
        assertTrue(e.getMessage().startsWith(img.toString()), e.getMessage());
    }

    @Test
    void missingSplitFolderAndUnknownSplitAreReported() {
        DatasetException e =
                assertThrows(DatasetException.class, () -> new CityscapesDataset(root, "test"));
        assertTrue(e.getMessage().contains("leftImg8bit"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> new CityscapesDataset(root, "train_extra"));
    }
}
