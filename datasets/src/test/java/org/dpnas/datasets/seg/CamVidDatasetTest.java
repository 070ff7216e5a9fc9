package org.dpnas.datasets.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.testing.RealData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CamVidDatasetTest {

    @TempDir Path tmp;

    private static Path camvid() {
        Path dir = TestFiles.sharedData().resolve("camvid");
        Assumptions.assumeTrue(
                Files.isRegularFile(dir.resolve("train.txt")),
                "CamVid not found at " + dir + ": skipping");
        return dir;
    }

    private static void checkSample(SegSample s) {
        assertEquals(360, s.height());
        assertEquals(480, s.width());
        int[] counts = new int[256];
        for (byte b : s.label()) {
            counts[b & 0xFF]++;
        }
        for (int v = 11; v < 255; v++) {
            assertEquals(0, counts[v], "label value " + v + " in " + s.id());
        }
        int labelled = 0;
        for (int v = 0; v < 11; v++) {
            labelled += counts[v];
        }
        assertTrue(labelled > s.label().length / 2, "mostly labelled pixels in " + s.id());
    }

    @Test
    @Tag(RealData.TAG)
    void realTrainAndValSplits() {
        Path dir = camvid();
        CamVidDataset train = new CamVidDataset(dir, "train");
        CamVidDataset val = new CamVidDataset(dir, "val");
        assertEquals(367, train.size());
        assertEquals(101, val.size());
        assertEquals(11, train.numClasses());
        assertEquals("Bicyclist", train.classNames().get(10));
        assertEquals(dir.resolve("trainannot/0001TP_006690.png"), train.labelPath(0));
        SegSample first = train.get(0);
        assertEquals("0001TP_006690", first.id());
        checkSample(first);
        checkSample(val.get(val.size() - 1));
    }

    @Test
    @Tag(RealData.TAG)
    void realDecodeSpeedIsReported() {
        Path dir = camvid();
        CamVidDataset train = new CamVidDataset(dir, "train");
        for (int i = 0; i < 5; i++) {
            train.get(i);
        }
        int n = 30;
        long t0 = System.nanoTime();
        long checksum = 0;
        for (int i = 0; i < n; i++) {
            checksum += train.get(i).label()[1000];
        }
        double ms = (System.nanoTime() - t0) / 1e6 / n;
        System.out.printf(
                "CamVid decode: %.2f ms per image+label (1 thread, checksum %d)%n", ms, checksum);
        assertTrue(ms < 1000, "decoding is absurdly slow: " + ms + " ms");
    }

    /** Builds a tiny SegNet-style copy whose list uses the original absolute prefix. */
    private void tiny(int... label) {
        TestFiles.writeRgbPng(tmp.resolve("train/a_001.png"), 3, 2);
        TestFiles.writeGrayPng(tmp.resolve("trainannot/a_001.png"), 3, 2, label);
        TestFiles.writeText(
                tmp.resolve("train.txt"),
                "/SegNet/CamVid/train/a_001.png /SegNet/CamVid/trainannot/a_001.png\n");
    }

    @Test
    void mapsSegNetPrefixAndVoid() {
        tiny(0, 3, 10, 11, 11, 255);
        CamVidDataset ds = new CamVidDataset(tmp, "train");
        assertEquals(1, ds.size());
        assertEquals(tmp.resolve("train/a_001.png"), ds.imagePath(0));
        byte x = (byte) 255;
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new byte[] {0, 3, 10, x, x, x}, ds.get(0).label());
    }

    @Test
    void outOfRangeLabelNamesFileAndValue() {
        tiny(0, 3, 12, 11, 11, 255);
        CamVidDataset ds = new CamVidDataset(tmp, "train");
        DatasetException e = assertThrows(DatasetException.class, () -> ds.get(0));
        assertTrue(e.getMessage().contains("trainannot/a_001.png"), e.getMessage());
        assertTrue(e.getMessage().contains("label value 12"), e.getMessage());
    }

    @Test
    void resolvesListedPathsAgainstTheRoot() {
        Path root = Path.of("/data/camvid");
        assertEquals(
                root.resolve("val/x.png"), CamVidDataset.resolve(root, "/SegNet/CamVid/val/x.png"));
        assertEquals(
                root.resolve("testannot/x.png"),
                CamVidDataset.resolve(root, "/home/me/stuff/testannot/x.png"));
        assertEquals(root.resolve("train/x.png"), CamVidDataset.resolve(root, "./train/x.png"));
    }

    @Test
    void listProblemsAreReported() {
        tiny(0, 0, 0, 0, 0, 0);
        DatasetException noList =
                assertThrows(DatasetException.class, () -> new CamVidDataset(tmp, "test"));
        assertTrue(noList.getMessage().contains("test.txt"), noList.getMessage());

        TestFiles.writeText(
                tmp.resolve("val.txt"),
                "train/a_001.png trainannot/a_001.png\n" + "train/a_001.png\n");
        DatasetException bad =
                assertThrows(DatasetException.class, () -> new CamVidDataset(tmp, "val"));
        assertTrue(bad.getMessage().contains("val.txt: entry 2"), bad.getMessage());

        TestFiles.writeText(tmp.resolve("val.txt"), "train/a_001.png valannot/a_001.png\n");
        CamVidDataset val = new CamVidDataset(tmp, "val"); // files are checked per sample
        DatasetException missing = assertThrows(DatasetException.class, () -> val.get(0));
        assertTrue(missing.getMessage().contains("valannot/a_001.png"), missing.getMessage());
        assertTrue(missing.getMessage().contains("train/a_001.png"), missing.getMessage());
    }
}
