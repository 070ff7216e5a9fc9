package org.dpnas.cli.data;

import static org.dpnas.cli.Cli.dpnas;
import static org.dpnas.cli.Cli.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.testing.RealData;
import org.dpnas.datasets.seg.CamVidDataset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandsTest {

    @Test
    void checkNamesEveryBrokenFileAndExitsOne(@TempDir Path root) throws Exception {
        List<String> lines = new ArrayList<>(TinyData.camvid(root, "train", 2));
        // missing label
        TinyData.rgb(root.resolve("train/nolabel.png"), 32, 24, 7);
        lines.add("train/nolabel.png trainannot/nolabel.png");
        // label of the wrong size
        TinyData.rgb(root.resolve("train/small.png"), 32, 24, 8);
        TinyData.gray(root.resolve("trainannot/small.png"), 16, 24, 1);
        lines.add("train/small.png trainannot/small.png");
        // label ids out of range
        TinyData.rgb(root.resolve("train/range.png"), 32, 24, 9);
        TinyData.gray(root.resolve("trainannot/range.png"), 32, 24, 3, 40);
        lines.add("train/range.png trainannot/range.png");
        // truncated image
        TinyData.rgb(root.resolve("train/cut.png"), 32, 24, 10);
        byte[] png = Files.readAllBytes(root.resolve("train/cut.png"));
        Files.write(root.resolve("train/cut.png"), java.util.Arrays.copyOf(png, png.length / 2));
        TinyData.gray(root.resolve("trainannot/cut.png"), 32, 24, 1);
        lines.add("train/cut.png trainannot/cut.png");
        TinyData.writeList(root, "train", lines);

        Path report = root.resolve("report.json");
        Outcome o =
                dpnas(
                        "data",
                        "check",
                        "camvid",
                        "--root",
                        root.toString(),
                        "--split",
                        "train",
                        "--json",
                        report.toString());
        assertEquals(1, o.code(), o.out() + o.err());
        for (String f : List.of("nolabel.png", "small.png", "range.png", "cut.png")) {
            assertTrue(o.out().contains(f), f + " not named in:\n" + o.out());
        }
        JsonObject j = json(report);
        assertEquals(6, j.get("images").getAsInt());
        assertEquals(11, j.getAsJsonArray("pixels_per_class").size());
        assertTrue(j.has("ignored_pixels"));
        JsonArray problems = j.getAsJsonArray("problems");
        assertEquals(4, problems.size(), problems.toString());
        List<String> kinds = new ArrayList<>();
        for (var e : problems) {
            JsonObject p = e.getAsJsonObject();
            kinds.add(
                    Path.of(p.get("file").getAsString()).getFileName()
                            + " "
                            + p.get("problem").getAsString());
        }
        assertTrue(
                kinds.stream().anyMatch(k -> k.startsWith("nolabel.png label file missing")),
                kinds.toString());
        assertTrue(
                kinds.stream().anyMatch(k -> k.startsWith("small.png label size 16x24 differs")),
                kinds.toString());
        assertTrue(
                kinds.stream().anyMatch(k -> k.startsWith("range.png") && k.contains("40")),
                kinds.toString());
        assertTrue(kinds.stream().anyMatch(k -> k.startsWith("cut.png")), kinds.toString());
        // the two good samples still count: 2 * 768 pixels, of which void (11) is ignored
        long counted = j.get("ignored_pixels").getAsLong();
        for (var e : j.getAsJsonArray("pixels_per_class")) {
            counted += e.getAsLong();
        }
        assertEquals(2 * 24 * 32, counted);
    }

    @Test
    void aCleanFolderExitsZeroWithTheLoadersCounts(@TempDir Path root) throws Exception {
        TinyData.camvid(root, "val", 3);
        Path report = root.resolve("r.json");
        Outcome o =
                dpnas(
                        "data",
                        "check",
                        "camvid",
                        "--root",
                        root.toString(),
                        "--split",
                        "val",
                        "--json",
                        report.toString());
        assertEquals(0, o.code(), o.out() + o.err());
        long[] expected = new long[11];
        long ignored = 0;
        CamVidDataset ds = new CamVidDataset(root, "val");
        for (int i = 0; i < ds.size(); i++) {
            for (byte b : ds.get(i).label()) {
                if ((b & 0xff) == SegSample.IGNORE) {
                    ignored++;
                } else {
                    expected[b]++;
                }
            }
        }
        JsonObject j = json(report);
        long[] got = new long[11];
        for (int c = 0; c < 11; c++) {
            got[c] = j.getAsJsonArray("pixels_per_class").get(c).getAsLong();
        }
        assertArrayEquals(expected, got);
        assertEquals(ignored, j.get("ignored_pixels").getAsLong());
        assertEquals(0, j.getAsJsonArray("problems").size());
        assertEquals(3, j.get("images").getAsInt());
    }

    @Test
    void detectionCheckCountsBoxesAndReportsDegenerateOnes(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("ImageSets/Main"));
        Files.createDirectories(root.resolve("Annotations"));
        Files.writeString(root.resolve("ImageSets/Main/train.txt"), "a\nb\n");
        writeJpeg(root.resolve("JPEGImages/a.jpg"));
        writeJpeg(root.resolve("JPEGImages/b.jpg"));
        Files.writeString(
                root.resolve("Annotations/a.xml"),
                annotation(obj("cat", 2, 2, 10, 10) + obj("dog", 3, 3, 9, 12)));
        Files.writeString(
                root.resolve("Annotations/b.xml"),
                annotation(obj("cat", 5, 5, 5, 9) + obj("cat", 1, 1, 20, 20)));
        Path report = root.resolve("r.json");
        Outcome o =
                dpnas(
                        "data",
                        "check",
                        "voc-det",
                        "--root",
                        root.toString(),
                        "--json",
                        report.toString());
        assertEquals(1, o.code(), o.out() + o.err());
        assertTrue(o.out().contains("b.xml"), o.out());
        JsonObject j = json(report);
        assertEquals(2, j.get("images").getAsInt());
        assertEquals(2, j.getAsJsonObject("boxes_per_class").get("cat").getAsInt());
        assertEquals(1, j.getAsJsonObject("boxes_per_class").get("dog").getAsInt());
        assertEquals(1, j.get("dropped_degenerate").getAsInt());
        assertEquals(1, j.getAsJsonArray("problems").size());
    }

    @Test
    void detectionCheckNamesEveryBadFileAndReadsOnlyItsSplit(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("ImageSets/Main"));
        Files.createDirectories(root.resolve("Annotations"));
        Files.writeString(root.resolve("ImageSets/Main/train.txt"), "a\nb\nc\nd\n");
        Files.writeString(root.resolve("ImageSets/Main/val.txt"), "v\n");
        for (String id : new String[] {"a", "b", "c", "d"}) {
            writeJpeg(root.resolve("JPEGImages/" + id + ".jpg"));
        }
        Files.writeString(root.resolve("Annotations/a.xml"), annotation(obj("cat", 2, 2, 10, 10)));
        Files.writeString(root.resolve("Annotations/b.xml"), "<annotation><object>"); // malformed
        // a typo (not a new class) and a box partly outside (clipped)
        Files.writeString(
                root.resolve("Annotations/c.xml"),
                annotation(obj("cta", 2, 2, 10, 10) + obj("dog", 20, 10, 40, 30)));
        // a box entirely outside the 32x24 image
        Files.writeString(root.resolve("Annotations/d.xml"), annotation(obj("cat", 40, 2, 50, 10)));
        // another split's file is broken: the train check never reads it
        Files.writeString(root.resolve("Annotations/v.xml"), "not xml");
        Path report = root.resolve("r.json");
        Outcome o =
                dpnas(
                        "data",
                        "check",
                        "voc-det",
                        "--root",
                        root.toString(),
                        "--classes",
                        "cat,dog",
                        "--json",
                        report.toString());
        assertEquals(1, o.code(), o.out() + o.err());
        JsonObject j = json(report);
        assertEquals(4, j.get("images").getAsInt());
        List<String> problems = new ArrayList<>();
        for (var e : j.getAsJsonArray("problems")) {
            JsonObject p = e.getAsJsonObject();
            problems.add(
                    Path.of(p.get("file").getAsString()).getFileName()
                            + " "
                            + p.get("problem").getAsString());
        }
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(
                problems.get(0).startsWith("b.xml malformed annotation XML"), problems.toString());
        assertTrue(
                problems.get(1).startsWith("c.xml object class 'cta' is not one of [cat, dog]"),
                problems.toString());
        assertTrue(
                problems.get(2)
                        .startsWith("d.xml box [40, 2, 50, 10] of 'cat' lies entirely outside"),
                problems.toString());
        assertEquals(1, j.get("dropped_outside").getAsInt());
        assertEquals(1, j.get("clipped").getAsInt());
        assertEquals(0, j.get("dropped_degenerate").getAsInt());
        assertEquals(1, j.getAsJsonObject("boxes_per_class").get("cat").getAsInt());
        assertEquals(1, j.getAsJsonObject("boxes_per_class").get("dog").getAsInt());
        assertFalse(j.getAsJsonObject("boxes_per_class").has("cta"), "a typo is not a class");
    }

    @Test
    void cocoCheckNamesEveryProblemAndCountsTheRest(@TempDir Path root) throws Exception {
        writeJpeg(root.resolve("val2017/a.jpg"));
        Files.createDirectories(root.resolve("annotations"));
        Files.writeString(
                root.resolve("annotations/instances_val2017.json"),
                "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 32,"
                        + " \"height\": 24}, {\"id\": 2, \"file_name\": \"b.jpg\","
                        + " \"width\": 32, \"height\": 24}],"
                        + " \"categories\": [{\"id\": 1, \"name\": \"cat\"},"
                        + " {\"id\": 2, \"name\": \"dog\"}],"
                        + " \"annotations\": ["
                        + "{\"id\": 10, \"image_id\": 1, \"category_id\": 1,"
                        + " \"bbox\": [2, 2, 8, 8]},"
                        + "{\"id\": 11, \"image_id\": 1, \"category_id\": 5,"
                        + " \"bbox\": [2, 2, 8, 8]},"
                        + "{\"id\": 12, \"image_id\": 1, \"category_id\": 1,"
                        + " \"bbox\": [1, 2, 3]},"
                        + "{\"id\": 13, \"image_id\": 1, \"category_id\": 1,"
                        + " \"bbox\": [40, 2, 5, 5]},"
                        + "{\"id\": 14, \"image_id\": 1, \"category_id\": 2,"
                        + " \"bbox\": [28, 20, 10, 10]}]}");
        Path report = root.resolve("r.json");
        Outcome o =
                dpnas(
                        "data",
                        "check",
                        "coco",
                        "--root",
                        root.toString(),
                        "--split",
                        "val",
                        "--json",
                        report.toString());
        assertEquals(1, o.code(), o.out() + o.err());
        JsonObject j = json(report);
        assertEquals(2, j.get("images").getAsInt());
        List<String> problems = new ArrayList<>();
        for (var e : j.getAsJsonArray("problems")) {
            JsonObject p = e.getAsJsonObject();
            problems.add(
                    Path.of(p.get("file").getAsString()).getFileName()
                            + " "
                            + p.get("problem").getAsString());
        }
        // every problem, not only the first; the good and the clipped box are counted
        assertEquals(
                List.of(
                        "instances_val2017.json annotation 11 refers to unknown category id 5",
                        "instances_val2017.json annotation 12: bbox has 3 numbers, expected 4"
                                + " [x, y, width, height]",
                        "instances_val2017.json annotation 13 (a.jpg): bbox [40, 2, 5, 5] lies"
                                + " entirely outside the 32x24 image (dropped)",
                        "b.jpg image file not found (image id 2 in "
                                + root.resolve("annotations/instances_val2017.json")
                                + ")"),
                problems);
        assertEquals(1, j.get("dropped_outside").getAsInt());
        assertEquals(1, j.get("clipped").getAsInt());
        assertEquals(1, j.getAsJsonObject("boxes_per_class").get("cat").getAsInt());
        assertEquals(1, j.getAsJsonObject("boxes_per_class").get("dog").getAsInt());
    }

    @Test
    @Tag(RealData.TAG)
    void bccdChecksWithItsTwoZeroWidthBoxes() throws Exception {
        Path bccd = RealData.dir().resolve("bccd");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isDirectory(bccd.resolve("Annotations")),
                "BCCD not found at " + bccd + ": skipping");
        Outcome o = dpnas("data", "check", "voc-det", "--root", bccd.toString(), "--split", "val");
        assertTrue(o.out().startsWith("voc-det val: 87 images"), o.out());
        assertTrue(o.out().contains("BloodImage_00338.xml"), o.out());
        assertTrue(o.out().contains("dropped degenerate boxes: 1"), o.out());
    }

    private static String annotation(String objects) {
        return "<annotation><size><width>32</width><height>24</height><depth>3</depth></size>"
                + objects
                + "</annotation>";
    }

    private static String obj(String name, int x1, int y1, int x2, int y2) {
        return "<object><name>"
                + name
                + "</name><difficult>0</difficult><bndbox><xmin>"
                + x1
                + "</xmin><ymin>"
                + y1
                + "</ymin><xmax>"
                + x2
                + "</xmax><ymax>"
                + y2
                + "</ymax></bndbox></object>";
    }

    private static void writeJpeg(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        java.awt.image.BufferedImage img =
                new java.awt.image.BufferedImage(
                        32, 24, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        javax.imageio.ImageIO.write(img, "jpg", file.toFile());
    }

    @Test
    void syntheticChecksCleanAndUnknownNamesAreUsageErrors() {
        Outcome o = dpnas("data", "check", "synthetic", "--split", "val");
        assertEquals(0, o.code(), o.out() + o.err());
        assertTrue(o.out().startsWith("synthetic val: 128 images, 0 problems"), o.out());
        assertEquals(2, dpnas("data", "check", "kitti", "--root", ".").code());
        assertEquals(2, dpnas("data", "check", "camvid").code());
    }

    @Test
    void benchPrintsImagesPerSecond(@TempDir Path root) throws Exception {
        TinyData.camvid(root, "train", 4);
        Path out = root.resolve("bench.json");
        Outcome o =
                dpnas(
                        "data",
                        "bench",
                        "camvid",
                        "--root",
                        root.toString(),
                        "--crop",
                        "16",
                        "--batch-size",
                        "2",
                        "--workers",
                        "2",
                        "--seconds",
                        "0.3",
                        "--json",
                        out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("images/s"), o.out());
        JsonObject j = json(out);
        assertTrue(j.get("images_per_second").getAsDouble() > 0);
        assertEquals(16, j.get("crop").getAsInt());
        assertEquals(2, j.get("workers").getAsInt());
    }

    @Test
    @Tag(RealData.TAG)
    void realCamVidValIsClean() {
        Path root = RealData.dir().resolve("camvid");
        assumeTrue(
                Files.isDirectory(root),
                "skipped: real CamVid not found at "
                        + root
                        + " (../shared/data beside the repository)");
        Outcome o = dpnas("data", "check", "camvid", "--root", root.toString(), "--split", "val");
        assertEquals(0, o.code(), o.out() + o.err());
        assertTrue(o.out().startsWith("camvid val: 101 images, 0 problems"), o.out());
    }
}
