package org.dpnas.nasfpn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.TrainTask;
import org.dpnas.common.train.Checkpointer;
import org.dpnas.eval.det.CocoDetections;
import org.dpnas.eval.det.CocoEvaluator;
import org.dpnas.eval.det.CocoGroundTruth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detector training and evaluation as a train task: resume, AP, detections files, weights. */
class DetectionJobTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    static Config config(int steps, String... more) {
        List<String> sets =
                new java.util.ArrayList<>(
                        List.of(
                                "model.backbone=\"resnet10\"",
                                "model.pyramid_width=8",
                                "model.head_convs=0",
                                "data.synthetic.train_size=6",
                                "data.synthetic.val_size=3",
                                "data.synthetic.side=64",
                                "train.image_size=64",
                                "train.batch_size=2",
                                "train.max_steps=" + steps,
                                "train.log_every=1",
                                "train.checkpoint_every=2"));
        sets.addAll(List.of(more));
        return ConfigLoader.load(DetectionJob.defaults(), null, sets);
    }

    private static byte[] params(RunDirectory run) throws Exception {
        Path c = new Checkpointer(run.checkpoints(), 1).latest().orElseThrow();
        return Files.readAllBytes(c.resolve("model.params"));
    }

    /** 4 steps straight and 2 + 2 after a resume give the same losses and weights. */
    @Test
    void resumedTrainingEqualsUninterrupted(@TempDir Path dir) throws Exception {
        DetectionJob job = new DetectionJob();
        RunDirectory a = new RunDirectory(dir.resolve("a"));
        TrainTask.Report r = job.train(config(4), a, false, List.of("t"), QUIET);
        assertEquals(12, r.json().getAsJsonArray("stats").size());
        assertTrue(Files.exists(a.root().resolve("genotype.json")));
        RunDirectory b = new RunDirectory(dir.resolve("b"));
        job.train(config(2), b, false, List.of("t"), QUIET);
        job.train(config(4), b, true, List.of("t"), QUIET);
        assertArrayEquals(params(a), params(b));
        List<String> la = losses(a);
        assertEquals(4, la.size());
        assertEquals(la, losses(b));
        Config resolved = ConfigLoader.load(DetectionJob.defaults(), a.resolvedConfig(), List.of());
        assertEquals(
                a.root().resolve("genotype.json").toAbsolutePath().normalize().toString(),
                resolved.getString("model.genotype"));
        assertEquals("fpn", resolved.getString("model.genotype_source"));
    }

    private static List<String> losses(RunDirectory run) throws Exception {
        return Files.readAllLines(run.metrics()).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(o -> o.has("loss"))
                .map(o -> o.get("step") + ":" + o.get("loss"))
                .toList();
    }

    /**
     * {@code eval model}'s AP equals the AP the evaluator computes from the written detections and
     * ground-truth files, so another tool scoring those files sees the same numbers.
     */
    @Test
    void evaluationWritesStatsAndDetectionFiles(@TempDir Path dir) throws Exception {
        DetectionJob job = new DetectionJob();
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        Config c = config(2, "train.lr=0.01");
        job.train(c, run, false, List.of("t"), QUIET);
        Config resolved =
                ConfigLoader.load(DetectionJob.defaults(), run.resolvedConfig(), List.of());
        Path ckpt = new Checkpointer(run.checkpoints(), 1).latest().orElseThrow();
        Path dets = dir.resolve("dets.json");
        TrainTask.Report r =
                job.evaluate(resolved, new TrainTask.EvalRequest(ckpt, "val", 0, dets), QUIET);
        JsonObject o = r.json();
        assertEquals(12, o.getAsJsonArray("stats").size());
        assertEquals(12, o.getAsJsonArray("names").size());
        assertEquals(4, o.getAsJsonObject("per_category").size());
        assertEquals(3, o.get("images").getAsInt());
        CocoGroundTruth gt = CocoGroundTruth.read(dir.resolve("dets.gt.json"));
        var stats = CocoEvaluator.evaluate(gt, CocoDetections.read(dets, gt));
        assertEquals(o.getAsJsonArray("stats").get(0).getAsDouble(), stats.get("AP"), 1e-12);
        assertEquals(o.getAsJsonArray("stats").get(1).getAsDouble(), stats.get("AP50"), 1e-12);
        assertTrue(o.get("detections").getAsInt() > 0);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                job.evaluate(
                                        resolved,
                                        new TrainTask.EvalRequest(ckpt, "val", 2, null),
                                        QUIET));
        assertTrue(e.getMessage().contains("exits 1..1"), e.getMessage());
    }

    /**
     * Anytime detection: a two-stack detector trains both exits (deep supervision) and evaluates
     * either; exit 1 reads the first stack's head, so its detections differ from exit 2's.
     */
    @Test
    void eachExitOfAStackedPyramidEvaluates(@TempDir Path dir) throws Exception {
        DetectionJob job = new DetectionJob();
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        job.train(config(2, "model.repeats=2", "train.lr=0.01"), run, false, List.of("t"), QUIET);
        Config resolved =
                ConfigLoader.load(DetectionJob.defaults(), run.resolvedConfig(), List.of());
        Path ckpt = new Checkpointer(run.checkpoints(), 1).latest().orElseThrow();
        Path d1 = dir.resolve("d1.json");
        Path d2 = dir.resolve("d2.json");
        JsonObject e1 =
                job.evaluate(resolved, new TrainTask.EvalRequest(ckpt, "val", 1, d1), QUIET).json();
        JsonObject e2 =
                job.evaluate(resolved, new TrainTask.EvalRequest(ckpt, "val", 0, d2), QUIET).json();
        assertEquals(1, e1.get("exit").getAsInt());
        assertEquals(2, e2.get("exit").getAsInt());
        assertEquals(2, e2.get("exits").getAsInt());
        assertTrue(!Files.readString(d1).equals(Files.readString(d2)), "exits differ");
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        job.evaluate(
                                resolved, new TrainTask.EvalRequest(ckpt, "val", 3, null), QUIET));
    }

    /**
     * {@code model.backbone_weights}: a safetensors file of torchvision names fills the backbone.
     */
    @Test
    void backboneWeightsFromSafetensors(@TempDir Path dir) throws Exception {
        Config model = config(1).sub("model");
        Path file = dir.resolve("r10.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = new Shape(2, 3, 64, 64);
            RetinaNet source = NasFpnMethod.network(model, 4);
            ai.djl.engine.Engine.getInstance().setRandomSeed(1);
            source.initialize(m, DataType.FLOAT32, in);
            WeightFiles.save(source.backbone(), file, Map.of());
            RetinaNet target = NasFpnMethod.network(model, 4);
            ai.djl.engine.Engine.getInstance().setRandomSeed(2);
            target.initialize(m, DataType.FLOAT32, in);
            String name = "";
            for (Pair<String, Parameter> p : source.backbone().getParameters()) {
                if (p.getValue().getShape().dimension() == 4) {
                    name = p.getKey();
                    break;
                }
            }
            float[] want = source.backbone().getParameters().get(name).getArray().toFloatArray();
            float[] before = target.backbone().getParameters().get(name).getArray().toFloatArray();
            assertTrue(!java.util.Arrays.equals(want, before), "seeds differ");
            DetectionJob.loadBackbone(target, file, QUIET);
            assertArrayEquals(
                    want, target.backbone().getParameters().get(name).getArray().toFloatArray());
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    DetectionJob.loadBackbone(
                                            target, dir.resolve("missing.safetensors"), QUIET));
            assertTrue(e.getMessage().contains("missing.safetensors"), e.getMessage());
        }
    }

    /** A VOC folder of 64×64 images, one box each; {@code bad} has a malformed annotation. */
    private static Path vocWithOneBadAnnotation(Path root) throws Exception {
        for (String d : List.of("Annotations", "JPEGImages", "ImageSets/Main")) {
            Files.createDirectories(root.resolve(d));
        }
        for (String id : List.of("a", "b", "c", "d", "bad")) {
            java.awt.image.BufferedImage img =
                    new java.awt.image.BufferedImage(
                            64, 64, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
            img.getGraphics().fillRect(10, 12, 30, 28);
            javax.imageio.ImageIO.write(
                    img, "jpg", root.resolve("JPEGImages/" + id + ".jpg").toFile());
            String xml =
                    id.equals("bad")
                            ? "<annotation><object><name>cell"
                            : "<annotation><size><width>64</width><height>64</height></size>"
                                    + "<object><name>cell</name><difficult>0</difficult>"
                                    + "<bndbox><xmin>10</xmin><ymin>12</ymin><xmax>40</xmax>"
                                    + "<ymax>40</ymax></bndbox></object></annotation>";
            Files.writeString(root.resolve("Annotations/" + id + ".xml"), xml);
        }
        Files.writeString(root.resolve("ImageSets/Main/train.txt"), "a\nbad\nb\n");
        Files.writeString(root.resolve("ImageSets/Main/val.txt"), "c\nd\n");
        return root;
    }

    /**
     * {@code data.on_bad_sample} reaches the detection loaders: {@code fail} (the default) stops
     * before the run directory is written, naming the file and the option; {@code skip} trains on
     * the rest and records the file in {@code data_skips.json}.
     */
    @Test
    void badAnnotationsFollowTheBadSamplePolicy(@TempDir Path dir) throws Exception {
        Path voc = vocWithOneBadAnnotation(dir.resolve("voc"));
        String[] data = {"data.dataset=\"voc-det\"", "data.root=\"" + voc + "\""};
        DetectionJob job = new DetectionJob();
        RunDirectory failed = new RunDirectory(dir.resolve("failed"));
        RuntimeException e =
                assertThrows(
                        RuntimeException.class,
                        () -> job.train(config(1, data), failed, false, List.of("t"), QUIET));
        assertTrue(e.getMessage().contains("bad.xml"), e.getMessage());
        assertTrue(e.getMessage().contains("on_bad_sample=skip"), e.getMessage());
        assertTrue(!Files.exists(failed.resolvedConfig()), "nothing written");

        RunDirectory run = new RunDirectory(dir.resolve("skip"));
        String[] skip = {data[0], data[1], "data.on_bad_sample=\"skip\""};
        job.train(config(1, skip), run, false, List.of("t"), QUIET);
        JsonObject skips =
                JsonParser.parseString(Files.readString(run.dataSkips())).getAsJsonObject();
        JsonObject train = skips.getAsJsonObject("train");
        assertEquals(1, train.get("bad_samples").getAsInt());
        assertTrue(train.getAsJsonObject("bad").get("0").getAsString().contains("bad.xml"));
        assertEquals(0, skips.getAsJsonObject("val").get("bad_samples").getAsInt());
    }
}
