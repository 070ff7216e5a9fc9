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
import org.dpnas.datasets.augment.BadSampleDataset;
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

    /** One annotation of each problem kind, a clipped box and a good box; image 42's file gone. */
    private Path problemFile() {
        images();
        try {
            Files.delete(root.resolve("val2017/000000000042.jpg"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return json(
                "{"
                        + IMAGES
                        + ", "
                        + CATEGORIES
                        + ", \"annotations\": ["
                        + "{\"image_id\": 7, \"bbox\": [1, 2, 3], \"category_id\": 1, \"id\": 9},"
                        + "{\"image_id\": 7, \"bbox\": [1, 1, 2, 2], \"category_id\": 2,"
                        + " \"id\": 10},"
                        + "{\"image_id\": 8, \"bbox\": [1, 1, 2, 2], \"category_id\": 1,"
                        + " \"id\": 11},"
                        + "{\"image_id\": 7, \"bbox\": [50, 1, 5, 5], \"category_id\": 1,"
                        + " \"id\": 12},"
                        + "{\"image_id\": 7, \"bbox\": [35, 25, 10, 10], \"category_id\": 3,"
                        + " \"id\": 13},"
                        + "{\"image_id\": 100, \"bbox\": [3, 4, 5, 6], \"category_id\": 7,"
                        + " \"id\": 14}]}");
    }

    @Test
    void problemSinkReceivesEveryProblemAndLoadingContinues() {
        Path file = problemFile();
        List<DatasetException> problems = new java.util.ArrayList<>();
        CocoDetDataset ds = new CocoDetDataset(root, "val", warnings, problems::add);
        List<String> messages = problems.stream().map(Throwable::getMessage).toList();
        assertEquals(5, messages.size(), messages.toString());
        assertEquals(
                file + ": annotation 9: bbox has 3 numbers, expected 4 [x, y, width, height]",
                messages.get(0));
        assertEquals(file + ": annotation 10 refers to unknown category id 2", messages.get(1));
        assertEquals(file + ": annotation 11 refers to unknown image id 8", messages.get(2));
        assertEquals(
                file
                        + ": annotation 12 (000000000007.jpg): bbox [50, 1, 5, 5] lies entirely"
                        + " outside the 40x30 image (dropped)",
                messages.get(3));
        Path gone = root.resolve("val2017/000000000042.jpg");
        assertTrue(messages.get(4).startsWith(gone + ": image file not found"), messages.get(4));
        assertEquals(gone, problems.get(4).file());

        // the rest loads: images 7 and 100, the partly-outside box clipped to the 40x30 image
        assertEquals(2, ds.size());
        assertEquals(3, ds.listed());
        assertEquals(7, ds.imageId(0));
        assertEquals(100, ds.imageId(1));
        assertEquals(List.of(new Box(35, 25, 40, 30, 1)), ds.get(0).boxes());
        assertEquals(List.of(new Box(3, 4, 8, 10, 2)), ds.get(1).boxes());
        assertEquals(1, ds.clipped());
        assertEquals(1, ds.droppedOutside());
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("clipped 1 box(es)"), text);
        assertTrue(text.contains("dropped 1 box(es) entirely outside"), text);
    }

    @Test
    void withoutSinkTheFirstProblemStopsLoadingNamingIt() {
        Path file = problemFile();
        DatasetException e =
                assertThrows(DatasetException.class, () -> new CocoDetDataset(root, "val"));
        assertEquals(
                file + ": annotation 9: bbox has 3 numbers, expected 4 [x, y, width, height]",
                e.getMessage());
    }

    @Test
    void onBadSamplePolicyFailsWithHintOrSkipsWithRecordedReasons() {
        problemFile();
        DetProblems fail = new DetProblems(BadSampleDataset.Policy.FAIL, null);
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> new CocoDetDataset(root, "val", warnings, fail));
        assertTrue(e.getMessage().contains("annotation 9: bbox has 3 numbers"), e.getMessage());
        assertTrue(e.getMessage().contains("data.on_bad_sample=skip"), e.getMessage());

        ByteArrayOutputStream said = new ByteArrayOutputStream();
        DetProblems skip =
                new DetProblems(
                        BadSampleDataset.Policy.SKIP,
                        new PrintStream(said, true, StandardCharsets.UTF_8));
        CocoDetDataset ds = new CocoDetDataset(root, "val", warnings, skip);
        assertEquals(2, ds.size());
        com.google.gson.JsonObject report = skip.report();
        assertEquals("skip", report.get("policy").getAsString());
        assertEquals(5, report.get("bad_samples").getAsInt());
        assertEquals(0, report.get("skipped_reads").getAsInt());
        assertTrue(
                report.getAsJsonObject("bad")
                        .get("1")
                        .getAsString()
                        .endsWith("annotation 10 refers to unknown category id 2"),
                report.toString());
        assertEquals(5, said.toString(StandardCharsets.UTF_8).lines().count());
    }
}
