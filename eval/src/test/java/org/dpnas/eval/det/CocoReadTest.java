package org.dpnas.eval.det;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoReadTest {

    @TempDir Path dir;

    /** Images 7 and 3 (listed unsorted, 3 twice), categories 2 "dog" and 1 "cat". */
    private static final String GT =
            """
            {"info": {"year": 2024}, "licenses": [],
             "images": [{"id": 7, "file_name": "a.jpg"}, {"id": 3}, {"id": 3}],
             "annotations": [
               {"id": 1, "image_id": 3, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100,
                "iscrowd": 0, "segmentation": [[0, 0, 10, 0, 10, 10]]},
               {"id": 2, "image_id": 7, "category_id": 2, "bbox": [5.5, 5, 20, 20.25], "area": 300.5,
                "iscrowd": true, "segmentation": {"counts": [1, 2], "size": [4, 4]}},
               {"id": 3, "image_id": 99, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1},
               {"id": 4, "image_id": 7, "category_id": 5, "bbox": [0, 0, 1, 1], "area": 1}
             ],
             "categories": [{"id": 2, "name": "dog", "supercategory": "animal"},
                            {"id": 1, "name": "cat"}]}
            """;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private CocoGroundTruth gt() throws IOException {
        return CocoGroundTruth.read(write("instances.json", GT));
    }

    @Test
    void readsInstancesWithPycocotoolsSelection() throws IOException {
        CocoGroundTruth gt = gt();
        // images sorted and unique; categories sorted by id
        assertArrayEquals(new long[] {3, 7}, gt.imageIds());
        assertEquals(
                List.of(
                        new CocoGroundTruth.Category(1, "cat"),
                        new CocoGroundTruth.Category(2, "dog")),
                gt.categories());
        // annotation 3 is on unlisted image 99, annotation 4 in unlisted category 5: dropped
        assertEquals(2, gt.size());
        // annotation 2 keeps its fractional box, its area field and iscrowd = true
        assertArrayEquals(
                new double[] {5.5, 5, 20, 20.25}, java.util.Arrays.copyOfRange(gt.box, 4, 8));
        assertEquals(300.5, gt.area[1]);
        assertTrue(gt.crowd[1]);
    }

    @Test
    void readsResultsAndEvaluates() throws IOException {
        CocoGroundTruth gt = gt();
        Path res =
                write(
                        "results.json",
                        """
                        [{"image_id": 3, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9,
                          "extra": {"ignored": [1, 2]}},
                         {"image_id": 7, "category_id": 8, "bbox": [0, 0, 10, 10], "score": 0.8}]
                        """);
        // category 8 is not a gt category: an error naming the entry, or dropped and counted
        CocoFormatException e =
                assertThrows(CocoFormatException.class, () -> CocoDetections.read(res, gt));
        assertTrue(
                e.getMessage().contains("results.json: [1].category_id: category id 8"),
                e.getMessage());
        CocoDetections dt = CocoDetections.read(res, gt, true);
        assertEquals(2, dt.total());
        assertEquals(1, dt.size());
        assertEquals(1, dt.droppedUnknownCategory());
        CocoStats s = CocoEvaluator.evaluate(gt, dt);
        // cat: one gt, one exact detection -> AP 1; dog: only a crowd gt -> -1, left out
        assertEquals(1.0, s.get("AP"), 1e-12);
        assertEquals(-1.0, s.perCategoryAP().get("dog"));
    }

    private CocoFormatException badResults(String json) throws IOException {
        CocoGroundTruth gt = gt();
        Path res = write("bad.json", json);
        return assertThrows(CocoFormatException.class, () -> CocoDetections.read(res, gt));
    }

    @Test
    void missingImageIdNamesFileEntryAndField() throws IOException {
        CocoFormatException e =
                badResults(
                        "[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1,1], \"score\": 1},"
                                + " {\"category_id\": 1, \"bbox\": [0,0,1,1], \"score\": 1}]");
        assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
        assertTrue(e.getMessage().contains("[1]"), e.getMessage());
        assertTrue(e.getMessage().contains("'image_id'"), e.getMessage());
    }

    @Test
    void bboxOfThreeNumbersIsRejected() throws IOException {
        CocoFormatException e =
                badResults(
                        "[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1], \"score\": 1}]");
        assertTrue(
                e.getMessage().contains("bad.json: [0].bbox: bbox must be 4 numbers, found 3"),
                e.getMessage());
    }

    @Test
    void bboxWithStringIsRejected() throws IOException {
        CocoFormatException e =
                badResults(
                        "[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,\"0\",1,1], \"score\": 1}]");
        assertTrue(e.getMessage().contains("[0].bbox"), e.getMessage());
        assertTrue(e.getMessage().contains("element 1 is a string"), e.getMessage());
    }

    @Test
    void missingScoreIsRejected() throws IOException {
        CocoFormatException e =
                badResults("[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1,1]}]");
        assertTrue(e.getMessage().contains("[0]: missing field 'score'"), e.getMessage());
    }

    @Test
    void detectionOnUnknownImageNamesTheId() throws IOException {
        CocoFormatException e =
                badResults(
                        "[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1,1], \"score\": 1},"
                                + " {\"image_id\": 42, \"category_id\": 1, \"bbox\": [0,0,1,1], \"score\": 1}]");
        assertTrue(e.getMessage().contains("bad.json: [1].image_id"), e.getMessage());
        assertTrue(e.getMessage().contains("image id 42"), e.getMessage());
    }

    @Test
    void aBareNanFromPythonIsReportedAsTheScoreOfItsDetection() throws IOException {
        CocoFormatException e =
                badResults(
                        "[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1,1], \"score\": 1},"
                                + " {\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1,1], \"score\": NaN}]");
        assertTrue(e.getMessage().endsWith("score of detection [1] is NaN"), e.getMessage());
        CocoFormatException inf =
                badResults(
                        "[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1,1], \"score\": -Infinity}]");
        assertTrue(
                inf.getMessage().endsWith("score of detection [0] is -Infinity"), inf.getMessage());
        CocoFormatException quoted =
                badResults(
                        "[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1,1], \"score\": \"0.5\"}]");
        assertTrue(
                quoted.getMessage().contains("expected a number, found a string"),
                quoted.getMessage());
    }

    @Test
    void aNegativeWidthOrHeightIsAnErrorOrDroppedWhenLenient() throws IOException {
        String json =
                "[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1,1], \"score\": 1},"
                        + " {\"image_id\": 3, \"category_id\": 1, \"bbox\": [5,5,-2,1], \"score\": 1}]";
        CocoFormatException e = badResults(json);
        assertTrue(
                e.getMessage().contains("bad.json: [1].bbox: negative width -2.0"), e.getMessage());
        CocoDetections dt = CocoDetections.read(write("lenient.json", json), gt(), true);
        assertEquals(1, dt.size());
        assertEquals(1, dt.droppedNegativeBox());
        assertEquals(0, dt.droppedUnknownCategory());
    }

    @Test
    void resultsMustBeAnArray() throws IOException {
        CocoFormatException e = badResults("{\"annotations\": []}");
        assertTrue(e.getMessage().contains("must be an array"), e.getMessage());
    }

    @Test
    void truncatedJsonNamesFileAndPosition() throws IOException {
        CocoFormatException e =
                badResults(
                        "[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1,1], \"score\": 1},");
        assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
        assertTrue(e.getMessage().contains("$["), e.getMessage());
    }

    @Test
    void gtAnnotationWithoutAreaIsRejected() throws IOException {
        Path p =
                write(
                        "gt_bad.json",
                        "{\"images\": [{\"id\": 1}], \"categories\": [{\"id\": 1, \"name\": \"a\"}],"
                                + " \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1,"
                                + " \"bbox\": [0, 0, 1, 1]}]}");
        CocoFormatException e =
                assertThrows(CocoFormatException.class, () -> CocoGroundTruth.read(p));
        assertTrue(
                e.getMessage().contains("gt_bad.json: annotations[0]: missing field 'area'"),
                e.getMessage());
    }

    @Test
    void gtWithoutImagesIsRejected() throws IOException {
        Path p = write("gt_noimg.json", "{\"categories\": [], \"annotations\": []}");
        CocoFormatException e =
                assertThrows(CocoFormatException.class, () -> CocoGroundTruth.read(p));
        assertTrue(e.getMessage().contains("missing field 'images'"), e.getMessage());
    }

    @Test
    void inMemoryDetectionOnUnknownImageIsRejected() throws IOException {
        CocoGroundTruth gt = gt();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> CocoDetections.of(gt, List.of(Coco.det(5, 1, 0, 0, 1, 1, 0.5))));
        assertTrue(e.getMessage().contains("image id 5"), e.getMessage());
    }

    @Test
    void detectionsBoundToAnotherGroundTruthAreRejected() throws IOException {
        CocoGroundTruth a = gt();
        CocoGroundTruth b = gt();
        CocoDetections d = CocoDetections.of(a, List.of());
        assertThrows(IllegalArgumentException.class, () -> CocoEvaluator.evaluate(b, d));
    }
}
