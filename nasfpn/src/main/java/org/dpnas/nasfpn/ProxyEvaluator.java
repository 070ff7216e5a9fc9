package org.dpnas.nasfpn;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.search.Evaluator;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.eval.det.CocoStats;

/**
 * The NAS-FPN child evaluation (Ghiasi et al., CVPR 2019, section 3.2): a RetinaNet with the
 * child's pyramid on a small backbone ({@code resnet10} by default) trained briefly on one side of
 * a {@link HeldOutSplit} of the training set, rewarded with COCO AP on the other side. Writes
 * {@code genotype.json} and {@code result.json} into the trial's directory; a directory that
 * already holds {@code result.json} is not trained again.
 */
public final class ProxyEvaluator implements Evaluator<PyramidGenotype> {

    private final DetDataset train;
    private final DetDataset heldOut;
    private final String backbone;
    private final int width;
    private final int headConvs;
    private final String attention;
    private final DetectorTrainer.Settings settings;

    /**
     * Creates the evaluator.
     *
     * @param trainSet the search's training set (split here; val is never seen)
     * @param every one image in {@code every} is held out for the reward
     * @param backbone proxy backbone
     * @param width pyramid and head width
     * @param headConvs convolutions per subnet
     * @param attention global-attention variant ({@code tf} or {@code mmdet})
     * @param settings proxy training
     */
    public ProxyEvaluator(
            DetDataset trainSet,
            int every,
            String backbone,
            int width,
            int headConvs,
            String attention,
            DetectorTrainer.Settings settings) {
        this.train = new HeldOutSplit(trainSet, every, false);
        this.heldOut = new HeldOutSplit(trainSet, every, true);
        if (heldOut.size() == 0 || train.size() == 0) {
            throw new IllegalArgumentException(
                    "the training set of "
                            + trainSet.size()
                            + " images is too small to hold out 1 in "
                            + every);
        }
        this.backbone = backbone;
        this.width = width;
        this.headConvs = headConvs;
        this.attention = attention;
        this.settings = settings;
    }

    /** The classes of the training split (what a child's detector predicts). */
    public int numClasses() {
        return train.numClasses();
    }

    @Override
    public Result evaluate(PyramidGenotype genotype, Path runDir) throws Exception {
        Path result = runDir.resolve("result.json");
        if (Files.exists(result)) {
            JsonObject o =
                    JsonParser.parseString(Files.readString(result, StandardCharsets.UTF_8))
                            .getAsJsonObject();
            Map<String, Double> m = new LinkedHashMap<>();
            for (var e : o.getAsJsonObject("metrics").entrySet()) {
                m.put(e.getKey(), e.getValue().getAsDouble());
            }
            return new Result(m, o.get("score").getAsDouble());
        }
        Files.createDirectories(runDir);
        genotype.write(runDir.resolve("genotype.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            RetinaNet net =
                    new RetinaNet(
                            backbone,
                            genotype,
                            width,
                            1,
                            attention,
                            train.numClasses(),
                            9,
                            headConvs);
            List<Float> losses = DetectorTrainer.train(net, train, settings, m);
            CocoStats stats = DetectorTrainer.score(net, heldOut, settings, 1, m);
            long params = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    params += p.getValue().getArray().getShape().size();
                }
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("AP", stats.get("AP"));
            metrics.put("AP50", stats.get("AP50"));
            metrics.put("loss", losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1));
            metrics.put("steps", (double) losses.size());
            metrics.put("params", (double) params);
            double score = Math.max(0, stats.get("AP"));
            JsonObject o = new JsonObject();
            JsonObject jm = new JsonObject();
            metrics.forEach(jm::addProperty);
            o.add("metrics", jm);
            o.addProperty("score", score);
            AtomicFiles.writeString(result, o.toString() + "\n");
            return new Result(metrics, score);
        }
    }
}
