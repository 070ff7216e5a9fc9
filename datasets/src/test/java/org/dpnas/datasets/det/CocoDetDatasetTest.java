package org.dpnas.datasets.det;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.data.Box;
import org.dpnas.datasets.seg.DatasetException;
import org.dpnas.datasets.seg.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoDetDatasetTest {

    @TempDir Path root;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream warnings = new PrintStream(log, true, StandardCharsets.UTF_8);

    private static final String IMAGES =
            "\"images\": ["
                    + "{\"id\": 100, \"file_name\": \"000000000100.jpg\", \"width\": 40,"
                    + " \"height\": 30, \"license\": 3, \"coco_url\": \"x\"},"
                    + "{\"id\": 7, \"file_name\": \"000000000007.jpg\", \"width\": 40,"
                    + " \"height\": 30},"
                    + "{\"id\": 42, \"file_name\": \"000000000042.jpg\", \"width\": 20,"
                    + " \"height\": 10}]";

    private static final String CATEGORIES =
            "\"categories\": ["
                    + "{\"supercategory\": \"vehicle\", \"id\": 7, \"name\": \"train\"},"
                    + "{\"supercategory\": \"person\", \"id\": 1, \"name\": \"person\"},"
                    + "{\"supercategory\": \"vehicle\", \"id\": 3, \"name\": \"car\"}]";

    private static final String ANNOTATIONS =
            "\"annotations\": ["
                    + "{\"segmentation\": [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]], \"area\": 12.5,"
                    + " \"iscrowd\": 0, \"image_id\": 7, \"bbox\": [1.5, 2.0, 10.0, 5.25],"
                    + " \"category_id\": 3, \"id\": 501},"
                    + "{\"segmentation\": {\"counts\": [5, 10, 3], \"size\": [30, 40]},"
                    + " \"area\": 99, \"iscrowd\": 1, \"image_id\": 7,"
                    + " \"bbox\": [0, 0, 20, 15], \"category_id\": 1, \"id\": 502},"
                    + "{\"iscrowd\": 0, \"image_id\": 100, \"bbox\": [3, 4, 5, 6],"
                    + " \"category_id\": 7, \"id\": 503},"
                    + "{\"iscrowd\": 0, \"image_id\": 100, \"bbox\": [3, 4, 0, 6],"
                    + " \"category_id\": 1, \"id\": 504}]";

    private Path json(String body) {
        return TestFiles.writeText(root.resolve("annotations/instances_val2017.json"), body);
    }

    private void images() {
        TestFiles.writeJpeg(root.resolve("val2017/000000000100.jpg"), 40, 30);
        TestFiles.writeJpeg(root.resolve("val2017/000000000007.jpg"), 40, 30);
        TestFiles.writeJpeg(root.resolve("val2017/000000000042.jpg"), 20, 10);
    }

    private CocoDetDataset standard() {
        images();
        json(
                "{\"info\": {\"year\": 2017, \"nested\": [1, {\"a\": null}]}, \"licenses\": [],"
                        + ANNOTATIONS
                        + ", "
                        + IMAGES
                        + ", "
                        + CATEGORIES
                        + "}");
        return new CocoDetDataset(root, "val", warnings);
    }

    @Test
    void categoriesAreContiguousInIdOrderAndBack() {
        CocoDetDataset ds = standard();
        assertEquals(List.of("person", "car", "train"), ds.classNames());
        assertEquals(0, ds.index(1));
        assertEquals(1, ds.index(3));
        assertEquals(2, ds.index(7));
        assertEquals(7, ds.categoryId(2));
        assertEquals(1, ds.categoryId(0));
        assertThrows(IllegalArgumentException.class, () -> ds.index(2));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.categoryId(3));
    }

    @Test
    void boxesCrowdsAndEmptyImages() {
        CocoDetDataset ds = standard();
        assertEquals(3, ds.size());
        assertEquals(7, ds.imageId(0));
        assertEquals(42, ds.imageId(1));
        assertEquals(100, ds.imageId(2));

        DetSample s7 = ds.get(0);
        assertEquals("000000000007", s7.id());
        assertEquals(30, s7.height());
        assertEquals(40, s7.width());
        assertEquals(List.of(new Box(1.5f, 2f, 11.5f, 7.25f, 1)), s7.boxes());
        assertEquals(List.of(new Box(0, 0, 20, 15, 0)), s7.ignoreRegions());

        DetSample empty = ds.get(1);
        assertTrue(empty.boxes().isEmpty());
        assertTrue(empty.ignoreRegions().isEmpty());
        assertEquals(20, empty.width());

        assertEquals(List.of(new Box(3, 4, 8, 10, 2)), ds.get(2).boxes());
        assertEquals(1, ds.droppedDegenerate());
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.contains("annotation 504 (000000000100.jpg)"), text);
    }

    @Test
    void truncatedJsonIsNamed() {
        images();
        Path file = json("{\"images\": [{\"id\": 7, \"file_name\": \"000000000007.jpg\"");
        DatasetException e =
                assertThrows(DatasetException.class, () -> new CocoDetDataset(root, "val"));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("malformed"), e.getMessage());
    }

    @Test
    void missingFilesAndUnknownReferencesAreNamed() throws Exception {
        images();
        DatasetException noJson =
                assertThrows(DatasetException.class, () -> new CocoDetDataset(root, "val"));
        assertTrue(noJson.getMessage().contains("instances_val2017.json"), noJson.getMessage());

        json(
                "{"
                        + IMAGES
                        + ", "
                        + CATEGORIES
                        + ", \"annotations\": [{\"image_id\": 7,"
                        + " \"bbox\": [1, 1, 2, 2], \"category_id\": 2, \"id\": 9}]}");
        DatasetException cat =
                assertThrows(DatasetException.class, () -> new CocoDetDataset(root, "val"));
        assertTrue(cat.getMessage().contains("unknown category id 2"), cat.getMessage());

        json(
                "{"
                        + IMAGES
                        + ", "
                        + CATEGORIES
                        + ", \"annotations\": [{\"image_id\": 8,"
                        + " \"bbox\": [1, 1, 2, 2], \"category_id\": 1, \"id\": 9}]}");
        DatasetException img =
                assertThrows(DatasetException.class, () -> new CocoDetDataset(root, "val"));
        assertTrue(img.getMessage().contains("unknown image id 8"), img.getMessage());

        json("{" + IMAGES + ", " + CATEGORIES + "}");
        Path gone = root.resolve("val2017/000000000042.jpg");
        Files.delete(gone);
        DatasetException file =
                assertThrows(DatasetException.class, () -> new CocoDetDataset(root, "val"));
        assertTrue(file.getMessage().startsWith(gone.toString()), file.getMessage());
    }

    @Test
    void truncatedImageIsNamedOnGet() {
        CocoDetDataset ds = standard();
        Path img = root.resolve("val2017/000000000042.jpg");
        TestFiles.truncate(img, 300);
        DatasetException e = assertThrows(DatasetException.class, () -> ds.get(1));
        assertTrue(e.getMessage().startsWith(img.toString()), e.getMessage());
    }
}
