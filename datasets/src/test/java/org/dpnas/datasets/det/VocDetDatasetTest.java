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
import org.dpnas.common.testing.RealData;
import org.dpnas.datasets.seg.DatasetException;
import org.dpnas.datasets.seg.TestFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocDetDatasetTest {

    @TempDir Path root;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream warnings = new PrintStream(log, true, StandardCharsets.UTF_8);

    private static Path bccd() {
        Path dir = TestFiles.sharedData().resolve("bccd");
        Assumptions.assumeTrue(
                Files.isDirectory(dir.resolve("Annotations")),
                "BCCD not found at " + dir + ": skipping");
        return dir;
    }

    private String logText() {
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Tag(RealData.TAG)
    void bccdClassesCountsAndTheTwoZeroWidthBoxes() {
        Path dir = bccd();
        VocDetDataset trainval = new VocDetDataset(dir, "trainval", null, false, warnings);
        assertEquals(292, trainval.size());
        assertEquals(List.of("Platelets", "RBC", "WBC"), trainval.classNames());
        assertEquals(2, trainval.droppedDegenerate());
        assertEquals(
                List.of("BloodImage_00343.xml", "BloodImage_00338.xml"),
                trainval.degenerateFiles());
        String text = logText();
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.contains("dropped 2 degenerate"), text);
        assertTrue(text.contains("BloodImage_00338.xml"), text);
        assertTrue(text.contains("BloodImage_00343.xml"), text);

        VocDetDataset train = new VocDetDataset(dir, "train", null, false, warnings);
        VocDetDataset val = new VocDetDataset(dir, "val", null, false, warnings);
        assertEquals(205, train.size());
        assertEquals(87, val.size());
        assertEquals(trainval.classNames(), val.classNames());
        assertEquals(List.of("BloodImage_00343.xml"), train.degenerateFiles());
        assertEquals(List.of("BloodImage_00338.xml"), val.degenerateFiles());
    }

    @Test
    @Tag(RealData.TAG)
    void bccdBoxesAreConvertedToZeroBasedExclusive() {
        VocDetDataset val = new VocDetDataset(bccd(), "val", null, false, warnings);
        DetSample s = val.get(0);
        assertEquals("BloodImage_00000", s.id());
        assertEquals(480, s.height());
        assertEquals(640, s.width());
        assertEquals(20, s.boxes().size());
        // first object: WBC xmin=260 ymin=177 xmax=491 ymax=376
        assertEquals(new Box(259, 176, 491, 376, 2), s.boxes().get(0));
        // an object touching the left border: xmin=1 becomes 0
        assertTrue(s.boxes().contains(new Box(0, 332, 87, 437, 1)));
        assertTrue(s.ignoreRegions().isEmpty());
    }

    private void writeAnnotation(String id, int width, int height, String objects) {
        TestFiles.writeText(
                root.resolve("Annotations/" + id + ".xml"),
                "<annotation><filename>"
                        + id
                        + ".jpg</filename><size><width>"
                        + width
                        + "</width><height>"
                        + height
                        + "</height><depth>3</depth></size>"
                        + objects
                        + "</annotation>");
    }

    private static String object(String name, int difficult, int... c) {
        return "<object><name>"
                + name
                + "</name><difficult>"
                + difficult
                + "</difficult><bndbox><xmin>"
                + c[0]
                + "</xmin><ymin>"
                + c[1]
                + "</ymin><xmax>"
                + c[2]
                + "</xmax><ymax>"
                + c[3]
                + "</ymax></bndbox></object>";
    }

    private void tinyVoc() {
        TestFiles.writeJpeg(root.resolve("JPEGImages/a.jpg"), 32, 24);
        TestFiles.writeJpeg(root.resolve("JPEGImages/b.jpg"), 32, 24);
        writeAnnotation(
                "a",
                32,
                24,
                object("dog", 0, 1, 1, 10, 20)
                        + object("cat", 1, 5, 6, 7, 8)
                        + object("dog", 0, 30, 2, 40, 30)
                        + object("cat", 0, 9, 9, 9, 12));
        writeAnnotation("b", 32, 24, "");
        TestFiles.writeText(root.resolve("ImageSets/Main/train.txt"), "a\nb\n");
    }

    @Test
    void difficultObjectsAreIgnoreRegionsUnlessKept() {
        tinyVoc();
        VocDetDataset ds = new VocDetDataset(root, "train", null, false, warnings);
        assertEquals(List.of("cat", "dog"), ds.classNames());
        DetSample a = ds.get(0);
        assertEquals(24, a.height());
        assertEquals(32, a.width());
        // xmax 40 > width 32 and ymax 30 > height 24 are clipped to the image
        assertEquals(List.of(new Box(0, 0, 10, 20, 1), new Box(29, 1, 32, 24, 1)), a.boxes());
        assertEquals(List.of(new Box(4, 5, 7, 8, 0)), a.ignoreRegions());
        assertEquals(1, ds.droppedDegenerate());
        assertTrue(logText().contains("a.xml"), logText());
        assertTrue(ds.get(1).boxes().isEmpty());

        VocDetDataset kept =
                new VocDetDataset(root, "train", List.of("dog", "cat"), true, warnings);
        DetSample k = kept.get(0);
        assertEquals(3, k.boxes().size());
        assertTrue(k.boxes().contains(new Box(4, 5, 7, 8, 1)));
        assertEquals(0, k.boxes().get(0).classId());
        assertTrue(k.ignoreRegions().isEmpty());
    }

    @Test
    void noWarningWhenNothingIsDropped() {
        tinyVoc();
        writeAnnotation("a", 32, 24, object("dog", 0, 1, 1, 10, 20));
        VocDetDataset ds = new VocDetDataset(root, "train", null, false, warnings);
        assertEquals(0, ds.droppedDegenerate());
        assertEquals("", logText());
    }

    @Test
    void unknownClassMalformedXmlAndMissingImageAreNamed() {
        tinyVoc();
        DatasetException unknown =
                assertThrows(
                        DatasetException.class,
                        () -> new VocDetDataset(root, "train", List.of("dog"), false, warnings));
        assertTrue(unknown.getMessage().contains("a.xml"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("'cat'"), unknown.getMessage());

        TestFiles.writeText(root.resolve("Annotations/b.xml"), "<annotation><object>");
        DatasetException xml =
                assertThrows(DatasetException.class, () -> new VocDetDataset(root, "train"));
        assertTrue(xml.getMessage().contains("b.xml"), xml.getMessage());

        writeAnnotation("c", 32, 24, "");
        TestFiles.writeText(root.resolve("ImageSets/Main/val.txt"), "c\n");
        DatasetException image =
                assertThrows(
                        DatasetException.class,
                        () -> new VocDetDataset(root, "val", List.of("dog"), false, warnings));
        assertTrue(image.getMessage().contains("c.jpg"), image.getMessage());
        assertTrue(image.getMessage().contains("c.xml"), image.getMessage());
    }

    @Test
    void imageSizeDifferentFromAnnotationIsReportedOnGet() {
        tinyVoc();
        writeAnnotation("b", 33, 24, "");
        VocDetDataset ds = new VocDetDataset(root, "train", null, false, warnings);
        DatasetException e = assertThrows(DatasetException.class, () -> ds.get(1));
        assertTrue(e.getMessage().contains("b.jpg"), e.getMessage());
        assertTrue(e.getMessage().contains("32x24"), e.getMessage());
        assertTrue(e.getMessage().contains("33x24"), e.getMessage());
    }

    @Test
    void boxesOutsideTheImageAreDroppedAndPartlyOutsideOnesClippedAndCounted() {
        tinyVoc();
        writeAnnotation(
                "a",
                32,
                24,
                object("dog", 0, 1, 1, 10, 20)
                        + object("dog", 0, 30, 2, 40, 30) // partly outside: clipped
                        + object("cat", 0, 40, 30, 50, 40)); // entirely outside
        VocDetDataset ds = new VocDetDataset(root, "train", null, false, warnings);
        assertEquals(1, ds.droppedOutside());
        assertEquals(List.of("a.xml"), ds.outsideFiles());
        assertEquals(1, ds.clipped());
        assertEquals(0, ds.droppedDegenerate(), "outside is not reported as degenerate");
        assertEquals(2, ds.get(0).boxes().size());
        assertTrue(logText().contains("entirely outside the image in a.xml"), logText());
        assertTrue(logText().contains("clipped 1 box(es)"), logText());
    }

    @Test
    void withAProblemSinkEveryBadFileIsReportedAndTheRestLoads() {
        tinyVoc();
        TestFiles.writeJpeg(root.resolve("JPEGImages/c.jpg"), 32, 24);
        TestFiles.writeJpeg(root.resolve("JPEGImages/d.jpg"), 32, 24);
        TestFiles.writeText(root.resolve("Annotations/c.xml"), "<annotation><object>");
        writeAnnotation("d", 32, 24, object("dgo", 0, 1, 1, 5, 5) + object("cat", 0, 1, 1, 5, 5));
        TestFiles.writeText(root.resolve("classes.txt"), "cat\ndog\n");
        TestFiles.writeText(root.resolve("ImageSets/Main/train.txt"), "a\nc\nd\nmissing\n");
        List<DatasetException> problems = new java.util.ArrayList<>();
        VocDetDataset ds = new VocDetDataset(root, "train", null, false, warnings, problems::add);
        assertEquals(List.of("cat", "dog"), ds.classNames(), "from classes.txt");
        List<String> msgs = problems.stream().map(Throwable::getMessage).toList();
        assertEquals(3, msgs.size(), msgs.toString());
        assertTrue(msgs.get(0).contains("c.xml: malformed annotation XML"), msgs.toString());
        assertTrue(msgs.get(1).contains("missing.xml: annotation file not found"), msgs.toString());
        assertTrue(
                msgs.get(2).contains("d.xml: object class 'dgo' is not one of [cat, dog]"),
                msgs.toString());
        assertEquals(2, ds.size(), "a and d load; d keeps its good object");
        assertEquals(1, ds.get(1).boxes().size());
        // without a sink the first problem stops loading
        assertThrows(DatasetException.class, () -> new VocDetDataset(root, "train"));
    }

    @Test
    void aSplitReadsOnlyItsOwnAnnotations() {
        tinyVoc();
        // a broken file of another split does not matter
        TestFiles.writeText(root.resolve("Annotations/other.xml"), "<annotation><object>");
        VocDetDataset ds = new VocDetDataset(root, "train", null, false, warnings);
        assertEquals(2, ds.size());
    }
}
