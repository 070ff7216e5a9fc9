package org.dpnas.cli.eval;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.dpnas.cli.Cli.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalFilesTest {

    static void png(Path file, int w, int h, int... values) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < values.length; i++) {
            img.getRaster().setSample(i % w, i / w, 0, values[i]);
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    /**
     * Two 2×2 maps, 3 classes, 255 ignored. a.png gt (0,0,1,255) pred (0,1,1,2); b.png gt (2,2,0,1)
     * pred (2,0,0,1). Counted pixels 7 (the 255 pixel and its prediction never count). Confusion
     * (gt rows, pred cols): gt0: pred0 ×2 (a0, b2), pred1 ×1 (a1); gt1: pred1 ×2 (a2, b3); gt2:
     * pred2 ×1 (b0), pred0 ×1 (b1). IoU0 = 2/(3+1) = 0.5 (gt0 = 3, pred0 = 3: 2/(3+3−2)); IoU1 =
     * 2/(2+3−2) = 2/3; IoU2 = 1/(2+1−1) = 0.5. mIoU = (0.5+0.6667+0.5)/3 = 0.5556; pixel accuracy
     * 5/7.
     */
    @Test
    void evalSegComputesMetricsFromLabelFolders(@TempDir Path dir) throws Exception {
        png(dir.resolve("gt/a.png"), 2, 2, 0, 0, 1, 255);
        png(dir.resolve("pred/a.png"), 2, 2, 0, 1, 1, 2);
        png(dir.resolve("gt/b.png"), 2, 2, 2, 2, 0, 1);
        png(dir.resolve("pred/b.png"), 2, 2, 2, 0, 0, 1);
        Path json = dir.resolve("m.json");
        Outcome o =
                dpnas(
                        "eval",
                        "seg",
                        "--gt",
                        dir.resolve("gt").toString(),
                        "--pred",
                        dir.resolve("pred").toString(),
                        "--num-classes",
                        "3",
                        "--json",
                        json.toString());
        assertEquals(0, o.code(), o.err());
        JsonObject m = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        JsonArray iou = m.getAsJsonArray("per_class_iou");
        assertEquals(0.5, iou.get(0).getAsDouble(), 1e-12);
        assertEquals(2.0 / 3, iou.get(1).getAsDouble(), 1e-12);
        assertEquals(0.5, iou.get(2).getAsDouble(), 1e-12);
        assertEquals((0.5 + 2.0 / 3 + 0.5) / 3, m.get("mIoU").getAsDouble(), 1e-12);
        assertEquals(5.0 / 7, m.get("pixel_accuracy").getAsDouble(), 1e-12);
        assertTrue(m.has("mean_class_accuracy") && m.has("fw_iou"));
    }

    @Test
    void evalSegNamesTheFileAtFault(@TempDir Path dir) throws Exception {
        png(dir.resolve("gt/a.png"), 2, 2, 0, 0, 1, 1);
        png(dir.resolve("pred/a.png"), 2, 2, 0, 0, 1, 7);
        png(dir.resolve("gt/b.png"), 2, 2, 0, 0, 1, 1);
        String gt = dir.resolve("gt").toString();
        String pred = dir.resolve("pred").toString();
        Path json = dir.resolve("m.json");
        Outcome missing =
                dpnas(
                        "eval",
                        "seg",
                        "--gt",
                        gt,
                        "--pred",
                        pred,
                        "--num-classes",
                        "3",
                        "--json",
                        json.toString());
        assertEquals(1, missing.code(), "a missing file is a data error");
        assertTrue(missing.err().contains(dir.resolve("pred/b.png").toString()), missing.err());
        assertFalse(Files.exists(json), "nothing is written when the input is bad");

        png(dir.resolve("pred/b.png"), 3, 2, 0, 0, 1, 1, 0, 0);
        // a.png (id 7) comes first in name order, so it is the one reported
        Outcome first = dpnas("eval", "seg", "--gt", gt, "--pred", pred, "--num-classes", "3");
        assertTrue(first.err().contains("a.png: id 7"), first.err());
        png(dir.resolve("pred/a.png"), 2, 2, 0, 0, 1, 1);
        Outcome size = dpnas("eval", "seg", "--gt", gt, "--pred", pred, "--num-classes", "3");
        assertEquals(1, size.code());
        assertTrue(size.err().contains("b.png: 3x2"), size.err());

        png(dir.resolve("pred/b.png"), 2, 2, 0, 0, 1, 1);
        png(dir.resolve("pred/a.png"), 2, 2, 0, 0, 1, 7);
        Outcome range = dpnas("eval", "seg", "--gt", gt, "--pred", pred, "--num-classes", "3");
        assertEquals(1, range.code());
        assertTrue(range.err().contains("a.png: id 7 at (x=1, y=1)"), range.err());
        // a bad option is a usage error
        Outcome usage = dpnas("eval", "seg", "--gt", gt, "--pred", pred, "--num-classes", "0");
        assertEquals(2, usage.code());
        assertTrue(usage.err().contains("--num-classes"), usage.err());
        // an unreadable label map is a data error naming it
        Files.write(dir.resolve("pred/a.png"), new byte[] {1, 2, 3});
        Outcome cut = dpnas("eval", "seg", "--gt", gt, "--pred", pred, "--num-classes", "3");
        assertEquals(1, cut.code(), cut.err());
        assertTrue(cut.err().contains("a.png"), cut.err());
    }

    /**
     * One image, one category, two gt boxes; detections: a perfect match (score 0.9) and a false
     * positive (0.8). Precision at every recall up to 0.5 is 1, recall never reaches 1 →
     * AP@[.5:.95] = 51/101 (recall thresholds 0..0.5 inclusive) = 0.50495; AP50 the same.
     */
    @Test
    void evalDetRoundTripsThroughFiles(@TempDir Path dir) throws Exception {
        Path gt = dir.resolve("gt.json");
        Files.writeString(
                gt,
                "{\"images\":[{\"id\":1,\"width\":100,\"height\":100}],"
                        + "\"categories\":[{\"id\":3,\"name\":\"cell\"}],"
                        + "\"annotations\":["
                        + "{\"id\":1,\"image_id\":1,\"category_id\":3,\"bbox\":[10,10,20,20],\"area\":400,\"iscrowd\":0},"
                        + "{\"id\":2,\"image_id\":1,\"category_id\":3,\"bbox\":[60,60,20,20],\"area\":400,\"iscrowd\":0}]}");
        Path dt = dir.resolve("dt.json");
        Files.writeString(
                dt,
                "[{\"image_id\":1,\"category_id\":3,\"bbox\":[10,10,20,20],\"score\":0.9},"
                        + "{\"image_id\":1,\"category_id\":3,\"bbox\":[0,60,5,5],\"score\":0.8}]");
        Path json = dir.resolve("ap.json");
        Outcome o =
                dpnas(
                        "eval",
                        "det",
                        "--gt",
                        gt.toString(),
                        "--dt",
                        dt.toString(),
                        "--json",
                        json.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(
                o.out()
                        .contains(
                                " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.505"),
                o.out());
        JsonObject r = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(12, r.getAsJsonArray("stats").size());
        assertEquals(51.0 / 101, r.getAsJsonArray("stats").get(0).getAsDouble(), 1e-12);
        assertEquals(
                51.0 / 101, r.getAsJsonObject("per_category").get("cell").getAsDouble(), 1e-12);
        assertEquals("AP", r.getAsJsonArray("names").get(0).getAsString());

        Files.writeString(
                dt, "[{\"image_id\":9,\"category_id\":3,\"bbox\":[0,0,1,1],\"score\":1}]");
        Outcome bad = dpnas("eval", "det", "--gt", gt.toString(), "--dt", dt.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("dt.json"), bad.err());

        // an unknown category is an error naming the entry; --lenient drops and counts it
        Files.writeString(
                dt,
                "[{\"image_id\":1,\"category_id\":3,\"bbox\":[10,10,20,20],\"score\":0.9},"
                        + "{\"image_id\":1,\"category_id\":7,\"bbox\":[0,60,5,5],\"score\":0.8}]");
        Outcome unknown = dpnas("eval", "det", "--gt", gt.toString(), "--dt", dt.toString());
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("[1].category_id: category id 7"), unknown.err());
        Outcome lenient =
                dpnas(
                        "eval",
                        "det",
                        "--gt",
                        gt.toString(),
                        "--dt",
                        dt.toString(),
                        "--lenient",
                        "--json",
                        json.toString());
        assertEquals(0, lenient.code(), lenient.err());
        assertTrue(lenient.err().contains("dropped 1 of 2 detections"), lenient.err());
        assertEquals(
                1,
                JsonParser.parseString(Files.readString(json))
                        .getAsJsonObject()
                        .getAsJsonObject("dropped")
                        .get("unknown_category")
                        .getAsInt());
        // Python's json.dump writes a bare NaN
        Files.writeString(
                dt, "[{\"image_id\":1,\"category_id\":3,\"bbox\":[10,10,20,20],\"score\":NaN}]");
        Outcome nan = dpnas("eval", "det", "--gt", gt.toString(), "--dt", dt.toString());
        assertEquals(1, nan.code());
        assertTrue(nan.err().contains("score of detection [0] is NaN"), nan.err());
    }
}
