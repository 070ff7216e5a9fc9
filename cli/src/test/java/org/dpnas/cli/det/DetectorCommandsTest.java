package org.dpnas.cli.det;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.DetectedObjects;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.dpnas.cli.Cli;
import org.dpnas.cli.predict.PredictCommand;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.datasets.det.DetSample;
import org.dpnas.nasfpn.DetData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A detector through the generic verbs: {@code train} hands it to its registered task, {@code eval
 * model} writes the COCO stats and the detections, which {@code eval det} scores to the same AP;
 * {@code cost} counts a pyramid genotype; {@code search --dry-run} sizes the pyramid space.
 */
class DetectorCommandsTest {

    private static final String[] SMALL = {
        "--set", "model.backbone=\"resnet10\"",
        "--set", "model.pyramid_width=8",
        "--set", "model.head_convs=0",
        "--set", "data.synthetic.train_size=4",
        "--set", "data.synthetic.val_size=2",
        "--set", "data.synthetic.side=64",
        "--set", "train.image_size=64",
        "--set", "train.batch_size=2",
        "--set", "train.checkpoint_every=2"
    };

    private static String[] join(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void trainEvalAndScoreADetector(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Cli.Outcome t =
                Cli.dpnas(
                        join(
                                new String[] {"train", "--model", "nasfpn"},
                                join(SMALL, "--max-steps", "2", "--work-dir", run.toString())));
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("val AP"), t.out());
        Path json = dir.resolve("eval.json");
        Path dets = dir.resolve("dets.json");
        Cli.Outcome e =
                Cli.dpnas(
                        "eval",
                        "model",
                        "--run",
                        run.toString(),
                        "--json",
                        json.toString(),
                        "--detections",
                        dets.toString());
        assertEquals(0, e.code(), e.err());
        JsonObject o = Cli.json(json);
        assertEquals(12, o.getAsJsonArray("stats").size());
        Path scored = dir.resolve("scored.json");
        Cli.Outcome d =
                Cli.dpnas(
                        "eval",
                        "det",
                        "--gt",
                        dir.resolve("dets.gt.json").toString(),
                        "--dt",
                        dets.toString(),
                        "--json",
                        scored.toString());
        assertEquals(0, d.code(), d.err());
        assertEquals(o.getAsJsonArray("stats"), Cli.json(scored).getAsJsonArray("stats"));
        Cli.Outcome bad = Cli.dpnas("eval", "model", "--run", run.toString(), "--exit", "3");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("exits 1..1"), bad.err());
        Cli.Outcome wrong =
                Cli.dpnas(
                        join(
                                new String[] {"train", "--model", "nasfpn", "--output-stride", "8"},
                                "--work-dir",
                                dir.resolve("x").toString()));
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("--output-stride"), wrong.err());
    }

    /**
     * issue 17's round trip for a detector: train (tiny) → {@code weights export --format djl} →
     * DJL {@code Criteria} → predict on a validation image equals {@code eval model}'s detections
     * of that image, box for box; {@code predict --run} draws them.
     */
    @Test
    void exportedDetectorPredictsAsEvalModel(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Cli.Outcome t =
                Cli.dpnas(
                        join(
                                new String[] {"train", "--model", "nasfpn"},
                                join(
                                        SMALL,
                                        "--max-steps",
                                        "2",
                                        "--lr",
                                        "0.01",
                                        "--work-dir",
                                        run.toString())));
        assertEquals(0, t.code(), t.err());
        Path dets = dir.resolve("dets.json");
        Cli.Outcome e =
                Cli.dpnas(
                        "eval", "model", "--run", run.toString(), "--detections", dets.toString());
        assertEquals(0, e.code(), e.err());
        Path model = dir.resolve("model");
        Cli.Outcome x =
                Cli.dpnas(
                        "weights",
                        "export",
                        "--run",
                        run.toString(),
                        "--format",
                        "djl",
                        "--out",
                        model.toString());
        assertEquals(0, x.code(), x.err());
        assertTrue(Files.isRegularFile(model.resolve("genotype.json")));
        // validation image 0, as eval model read it, written losslessly
        Config c =
                ConfigLoader.load(
                        org.dpnas.nasfpn.DetectionJob.defaults(),
                        run.resolve("config.resolved.json"),
                        List.of());
        DetSample s = DetData.open(c.sub("data"), "val", c.getLong("seed")).get(0);
        BufferedImage bi = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < s.height(); y++) {
            for (int xx = 0; xx < s.width(); xx++) {
                int i = (y * s.width() + xx) * 3;
                bi.setRGB(
                        xx,
                        y,
                        (s.rgb()[i] & 0xff) << 16
                                | (s.rgb()[i + 1] & 0xff) << 8
                                | (s.rgb()[i + 2] & 0xff));
            }
        }
        Path png = dir.resolve("val0.png");
        ImageIO.write(bi, "png", png.toFile());
        Image img = ImageFactory.getInstance().fromFile(png);
        DetectedObjects d = PredictCommand.detect(model, img, Device.cpu());
        List<JsonObject> want = new ArrayList<>();
        for (var el : JsonParser.parseString(Files.readString(dets)).getAsJsonArray()) {
            if (el.getAsJsonObject().get("image_id").getAsInt() == 0) {
                want.add(el.getAsJsonObject());
            }
        }
        assertTrue(!want.isEmpty(), "eval model found nothing on image 0");
        assertEquals(want.size(), d.getNumberOfObjects());
        List<String> names = List.of("disk", "square", "triangle", "ring");
        for (int i = 0; i < want.size(); i++) {
            JsonObject w = want.get(i);
            DetectedObjects.DetectedObject o = d.item(i);
            assertEquals(names.get(w.get("category_id").getAsInt() - 1), o.getClassName());
            assertEquals(w.get("score").getAsDouble(), o.getProbability(), 1e-6);
            var b = o.getBoundingBox().getBounds();
            var bb = w.getAsJsonArray("bbox");
            // boxes travel normalised by the image size: float rounding only
            assertEquals(bb.get(0).getAsDouble(), b.getX() * s.width(), 1e-3);
            assertEquals(bb.get(1).getAsDouble(), b.getY() * s.height(), 1e-3);
            assertEquals(bb.get(2).getAsDouble(), b.getWidth() * s.width(), 1e-3);
            assertEquals(bb.get(3).getAsDouble(), b.getHeight() * s.height(), 1e-3);
        }
        Path drawn = dir.resolve("boxes.png");
        Cli.Outcome p =
                Cli.dpnas(
                        "predict",
                        "--run",
                        run.toString(),
                        "--image",
                        png.toString(),
                        "--out",
                        drawn.toString());
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains(want.size() + " boxes"), p.out());
        assertEquals(s.width(), ImageIO.read(drawn.toFile()).getWidth());
    }

    @Test
    void costAndDryRun(@TempDir Path dir) throws Exception {
        Path g = dir.resolve("g.json");
        Files.writeString(g, org.dpnas.nasfpn.PyramidGenotype.nasFpn().toJson());
        Path json = dir.resolve("cost.json");
        Cli.Outcome c =
                Cli.dpnas(
                        "cost",
                        "--genotype",
                        g.toString(),
                        "--backbone",
                        "resnet10",
                        "--input",
                        "1x3x128x128",
                        "--num-classes",
                        "3",
                        "--runs",
                        "1",
                        "--warmup",
                        "0",
                        "--json",
                        json.toString());
        assertEquals(0, c.code(), c.err());
        JsonObject o = Cli.json(json);
        assertEquals(7, o.get("merging_cells").getAsInt());
        // the published cell at width 256: 7 · (9·256² + 512) weights (module README)
        assertEquals(4_132_352L, o.get("params_pyramid").getAsLong());
        assertTrue(o.getAsJsonArray("warnings").isEmpty(), o.toString());
        Path dry = dir.resolve("dry.json");
        Cli.Outcome s = Cli.dpnas("search", "nasfpn", "--dry-run", "--json", dry.toString());
        assertEquals(0, s.code(), s.err());
        assertEquals(28, Cli.json(dry).get("decisions").getAsInt());
    }
}
