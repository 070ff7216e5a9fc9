package org.dpnas.datasets.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.dpnas.common.data.SegSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocSegDatasetTest {

    @TempDir Path root;

    /** A 4x3 label: a person (15) and a plane (1) on background, framed by a 255 border. */
    private static final int[] LABEL = {
        255, 255, 255, 255,
        255, 15, 1, 255,
        255, 0, 0, 255
    };

    private void sample(String id, int[] label) {
        TestFiles.writeJpeg(root.resolve("JPEGImages/" + id + ".jpg"), 4, 3);
        TestFiles.writeVocPalettePng(root.resolve("SegmentationClass/" + id + ".png"), 4, 3, label);
    }

    @Test
    void palettePngsYieldClassIndicesAndKeepTheBorderAsIgnore() {
        sample("2007_000032", LABEL);
        sample("2007_000033", new int[12]);
        TestFiles.writeText(
                root.resolve("ImageSets/Segmentation/train.txt"), "2007_000032\n\n2007_000033\n");
        VocSegDataset ds = new VocSegDataset(root, "train");
        assertEquals(2, ds.size());
        assertEquals(21, ds.numClasses());
        assertEquals("person", ds.classNames().get(15));
        SegSample s = ds.get(0);
        assertEquals("2007_000032", s.id());
        assertEquals(3, s.height());
        assertEquals(4, s.width());
        byte[] expected = new byte[12];
        for (int i = 0; i < 12; i++) {
            expected[i] = (byte) LABEL[i];
        }
        assertArrayEquals(expected, s.label());
        assertEquals(SegSample.IGNORE, s.label()[0] & 0xFF);
        assertArrayEquals(new byte[12], ds.get(1).label());
    }

    @Test
    void outOfRangeIndexNamesFileAndValue() {
        int[] bad = LABEL.clone();
        bad[6] = 21;
        sample("2007_000032", bad);
        TestFiles.writeText(root.resolve("ImageSets/Segmentation/val.txt"), "2007_000032\n");
        VocSegDataset ds = new VocSegDataset(root, "val");
        DatasetException e = assertThrows(DatasetException.class, () -> ds.get(0));
        assertTrue(
                e.getMessage()
                        .contains(root.resolve("SegmentationClass/2007_000032.png").toString()),
                e.getMessage());
        assertTrue(e.getMessage().contains("label value 21 at (x=2, y=1)"), e.getMessage());
    }

    @Test
    void missingLabelNamesBothFiles() {
        sample("2007_000032", LABEL);
        Path img = TestFiles.writeJpeg(root.resolve("JPEGImages/2007_000039.jpg"), 4, 3);
        TestFiles.writeText(
                root.resolve("ImageSets/Segmentation/trainval.txt"), "2007_000032\n2007_000039\n");
        // a missing file is a problem of its sample (so --on-bad-sample skip covers it)
        VocSegDataset ds = new VocSegDataset(root, "trainval");
        ds.get(0);
        DatasetException e = assertThrows(DatasetException.class, () -> ds.get(1));
        assertTrue(e.getMessage().contains(img.toString()), e.getMessage());
        assertTrue(
                e.getMessage()
                        .contains(root.resolve("SegmentationClass/2007_000039.png").toString()),
                e.getMessage());
    }

    @Test
    void augmentedSplitReadsSegmentationClassAugWithIdOrPairLists() {
        sample("2007_000032", LABEL);
        TestFiles.writeJpeg(root.resolve("JPEGImages/2008_000123.jpg"), 4, 3);
        TestFiles.writeGrayPng(
                root.resolve("SegmentationClassAug/2008_000123.png"),
                4,
                3,
                0,
                0,
                7,
                7,
                0,
                0,
                7,
                7,
                0,
                0,
                255,
                255);
        TestFiles.writeGrayPng(root.resolve("SegmentationClassAug/2007_000032.png"), 4, 3, LABEL);
        TestFiles.writeText(root.resolve("ImageSets/Segmentation/train_aug.txt"), "2008_000123\n");
        VocSegDataset ids = new VocSegDataset(root, "train_aug");
        assertEquals(1, ids.size());
        assertEquals(root.resolve("SegmentationClassAug/2008_000123.png"), ids.labelPath(0));
        assertEquals(7, ids.get(0).label()[2]);

        TestFiles.writeText(
                root.resolve("ImageSets/Segmentation/trainval_aug.txt"),
                "/JPEGImages/2007_000032.jpg /SegmentationClassAug/2007_000032.png\n"
                        + "JPEGImages/2008_000123.jpg SegmentationClassAug/2008_000123.png\n");
        VocSegDataset pairs = new VocSegDataset(root, "trainval_aug");
        assertEquals(2, pairs.size());
        assertEquals("2007_000032", pairs.get(0).id());
        assertEquals(15, pairs.get(0).label()[5]);
        assertEquals("2008_000123", pairs.get(1).id());
    }

    @Test
    void augmentedSplitWithoutAugFolderIsReported() {
        sample("2007_000032", LABEL);
        TestFiles.writeText(root.resolve("ImageSets/Segmentation/train_aug.txt"), "2007_000032\n");
        DatasetException e =
                assertThrows(DatasetException.class, () -> new VocSegDataset(root, "train_aug"));
        assertTrue(e.getMessage().contains("SegmentationClassAug"), e.getMessage());
    }

    @Test
    void missingListFileIsNamed() {
        sample("2007_000032", LABEL);
        DatasetException e =
                assertThrows(DatasetException.class, () -> new VocSegDataset(root, "val"));
        assertTrue(
                e.getMessage().contains(root.resolve("ImageSets/Segmentation/val.txt").toString()),
                e.getMessage());
    }
}
