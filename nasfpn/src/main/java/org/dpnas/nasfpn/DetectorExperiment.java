package org.dpnas.nasfpn;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.det.Detection;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.VocDetDataset;
import org.dpnas.eval.det.CocoDetections;
import org.dpnas.eval.det.CocoEvaluator;
import org.dpnas.eval.det.CocoGroundTruth;
import org.dpnas.eval.det.CocoStats;

/**
 * Trains a RetinaNet from a config file on a VOC-layout detection set and scores it on the
 * validation split: the runner of {@code configs/nasfpn/*.json} until the detector is registered
 * with the {@code dpnas} command. Writes {@code stats.json} ({@code stats}, {@code names}, {@code
 * per_category}), {@code detections.json} (COCO results), {@code losses.json} and the genotype into
 * the output directory.
 *
 * <p>Usage: {@code DetectorExperiment CONFIG OUT_DIR [steps]} (the optional third argument
 * overrides {@code steps} for a smoke run).
 */
public final class DetectorExperiment {

    private DetectorExperiment() {}

    /**
     * Runs the experiment.
     *
     * @param args config file, output directory, optional step count
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DetectorExperiment CONFIG OUT_DIR [steps]");
            System.exit(2);
        }
        JsonObject c =
                JsonParser.parseString(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8))
                        .getAsJsonObject();
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        String g = c.get("genotype").getAsString();
        PyramidGenotype genotype =
                g.endsWith(".json") ? PyramidGenotype.read(Path.of(g)) : PyramidGenotype.builtIn(g);
        Path root = Path.of(c.get("root").getAsString());
        DetDataset train = new VocDetDataset(root, c.get("train_split").getAsString());
        DetDataset val = new VocDetDataset(root, c.get("val_split").getAsString());
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : c.get("steps").getAsInt();
        DetectorTrainer.Settings s =
                new DetectorTrainer.Settings(
                        c.get("image_size").getAsInt(),
                        c.get("batch").getAsInt(),
                        steps,
                        c.get("lr").getAsFloat(),
                        c.get("seed").getAsLong());
        genotype.write(out.resolve("genotype.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            RetinaNet net =
                    new RetinaNet(
                            c.get("backbone").getAsString(),
                            genotype,
                            c.get("width").getAsInt(),
                            c.get("repeats").getAsInt(),
                            c.get("attention").getAsString(),
                            train.numClasses(),
                            9,
                            c.get("head_convs").getAsInt());
            long t0 = System.nanoTime();
            List<Float> losses = DetectorTrainer.train(net, train, s, m);
            double trainSec = (System.nanoTime() - t0) / 1e9;
            JsonArray l = new JsonArray();
            losses.forEach(l::add);
            AtomicFiles.writeString(out.resolve("losses.json"), l + "\n");
            t0 = System.nanoTime();
            CocoGroundTruth gt = DetectorTrainer.groundTruth(val);
            List<List<Detection>> dets = DetectorTrainer.detect(net, val, s, net.exits(), m);
            double evalSec = (System.nanoTime() - t0) / 1e9;
            List<CocoDetections.Detection> results = DetectorTrainer.cocoResults(dets);
            CocoStats stats = CocoEvaluator.evaluate(gt, CocoDetections.of(gt, results));
            JsonArray r = new JsonArray();
            for (CocoDetections.Detection d : results) {
                JsonObject o = new JsonObject();
                o.addProperty("image_id", d.imageId());
                o.addProperty("category_id", d.categoryId());
                JsonArray b = new JsonArray();
                b.add(d.x());
                b.add(d.y());
                b.add(d.width());
                b.add(d.height());
                o.add("bbox", b);
                o.addProperty("score", d.score());
                r.add(o);
            }
            AtomicFiles.writeString(out.resolve("detections.json"), r + "\n");
            JsonObject st = stats.toJson();
            st.addProperty("train_seconds", trainSec);
            st.addProperty("steps", losses.size());
            st.addProperty("eval_seconds", evalSec);
            AtomicFiles.writeString(
                    out.resolve("stats.json"),
                    new GsonBuilder().setPrettyPrinting().create().toJson(st) + "\n");
            System.out.println(stats.summary());
            System.out.printf(
                    "train %.1f s for %d steps (%.2f s/step), eval %.1f s for %d images%n",
                    trainSec,
                    losses.size(),
                    trainSec / Math.max(1, losses.size()),
                    evalSec,
                    val.size());
        }
    }
}
