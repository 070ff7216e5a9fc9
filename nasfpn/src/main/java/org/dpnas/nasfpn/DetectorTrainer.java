package org.dpnas.nasfpn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dpnas.common.data.Box;
import org.dpnas.common.det.AnchorGenerator;
import org.dpnas.common.det.AnchorMatcher;
import org.dpnas.common.det.BoxCoder;
import org.dpnas.common.det.Detection;
import org.dpnas.common.det.DetectionDecoder;
import org.dpnas.common.det.DetectionLoss;
import org.dpnas.common.det.DetectionTargets;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.NonFiniteException;
import org.dpnas.common.train.Optimizer;
import org.dpnas.common.train.Seeds;
import org.dpnas.datasets.augment.JointAugment;
import org.dpnas.datasets.augment.Resampler;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.DetSample;
import org.dpnas.eval.det.CocoDetections;
import org.dpnas.eval.det.CocoEvaluator;
import org.dpnas.eval.det.CocoGroundTruth;
import org.dpnas.eval.det.CocoStats;

/**
 * Trains a {@link RetinaNet} for a fixed number of steps and scores it with COCO AP: the proxy task
 * of the NAS-FPN search (Ghiasi et al., CVPR 2019, section 3.2: small images, short training).
 *
 * <p>Training: random batches drawn with the seed, box-aware augmentation (scale in [0.8, 1.2] of
 * the factor that fits the first image's longer side into {@code imageSize}, a random {@code
 * imageSize}² crop that clips or drops boxes, horizontal flip), Adam, and the RetinaNet loss summed
 * over every exit (deep supervision of anytime detection). Scoring: each image scaled so its longer
 * side is {@code imageSize}, padded to a multiple of 128, decoded with {@link DetectionDecoder},
 * boxes mapped back to the original pixels, and scored by the evaluation module's COCO evaluator
 * against the original boxes (ignore regions as crowd).
 */
public final class DetectorTrainer {

    /**
     * Training settings.
     *
     * @param imageSize crop side for training, longer side for scoring
     * @param batch images per step (≥ 2: BatchNorm at P7)
     * @param steps optimizer steps
     * @param lr Adam learning rate
     * @param seed drives sampling and augmentation
     */
    public record Settings(int imageSize, int batch, int steps, float lr, long seed) {

        /** Validates. */
        public Settings {
            if (imageSize < 32 || batch < 2 || steps < 0 || !(lr > 0)) {
                throw new IllegalArgumentException(
                        "detector training needs image size >= 32, batch >= 2, steps >= 0, lr > 0");
            }
        }
    }

    private static final int[] FILL = {124, 116, 104};

    private DetectorTrainer() {}

    /**
     * Trains the detector (initialising it if needed).
     *
     * @param net the detector
     * @param data training images
     * @param s settings
     * @param base a manager that outlives the training
     * @return the loss of every step
     */
    public static List<Float> train(RetinaNet net, DetDataset data, Settings s, NDManager base) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("the training split is empty");
        }
        Shape input = new Shape(s.batch(), 3, s.imageSize(), s.imageSize());
        if (!net.isInitialized()) {
            Seeds.seedEngine(s.seed());
            net.initialize(base, DataType.FLOAT32, input);
        }
        DetSample first = data.get(0);
        double fit = (double) s.imageSize() / Math.max(first.height(), first.width());
        JointAugment aug =
                new JointAugment(
                        s.seed(),
                        0.8 * fit,
                        1.2 * fit,
                        s.imageSize(),
                        s.imageSize(),
                        true,
                        0,
                        FILL,
                        Resampler.JAVA);
        float[] anchors = AnchorGenerator.retinaNet().generate(s.imageSize(), s.imageSize());
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                params.add(p.getValue());
            }
        }
        Optimizer opt = Optimizer.create("adam", 0f, 1e-4f, 0.9f, 0.999f, 1e-8f);
        Random random = Seeds.random(s.seed(), "batches");
        ParameterStore ps = new ParameterStore(base, false);
        List<Float> losses = new ArrayList<>();
        DetectionLoss lossFn = DetectionLoss.retinaNet();
        try (Constants c = new Constants(base)) {
            for (int step = 0; step < s.steps(); step++) {
                List<DetSample> samples = new ArrayList<>();
                for (int i = 0; i < s.batch(); i++) {
                    int index = random.nextInt(data.size());
                    samples.add(aug.apply(data.get(index), step, index));
                }
                DetBatch batch = DetBatch.of(samples, 1);
                List<DetectionTargets> targets = new ArrayList<>();
                for (List<Box> boxes : batch.boxes()) {
                    targets.add(
                            DetectionTargets.of(
                                    anchors, boxes, AnchorMatcher.retinaNet(), new BoxCoder()));
                }
                try (NDManager sm = base.newSubManager()) {
                    NDArray x = batch.images(sm);
                    float value;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDList out = net.forward(ps, new NDList(x), true);
                        NDArray total = null;
                        for (int e = 0; e < net.exits(); e++) {
                            NDArray[] l =
                                    lossFn.compute(out.get(2 * e), out.get(2 * e + 1), targets, c);
                            NDArray sum = l[0].add(l[1]);
                            total = total == null ? sum : total.add(sum);
                        }
                        value = total.getFloat();
                        if (!Float.isFinite(value)) {
                            throw new NonFiniteException(step, "detector loss is " + value);
                        }
                        gc.backward(total);
                    }
                    opt.step(params, s.lr());
                    losses.add(value);
                }
            }
        } finally {
            opt.close();
        }
        return losses;
    }

    /**
     * Detects objects in every image, in original pixel coordinates.
     *
     * @param net the trained detector
     * @param data the images
     * @param s settings (image size)
     * @param exit which exit, 1-based
     * @param base a manager
     * @return per image its detections
     */
    public static List<List<Detection>> detect(
            RetinaNet net, DetDataset data, Settings s, int exit, NDManager base) {
        if (exit < 1 || exit > net.exits()) {
            throw new IllegalArgumentException(
                    "exit " + exit + " outside 1.." + net.exits() + " (one per pyramid stack)");
        }
        ParameterStore ps = new ParameterStore(base, false);
        DetectionDecoder decoder = DetectionDecoder.retinaNet();
        AnchorGenerator gen = AnchorGenerator.retinaNet();
        List<List<Detection>> all = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            DetSample raw = data.get(i);
            double scale = (double) s.imageSize() / Math.max(raw.height(), raw.width());
            JointAugment resize =
                    new JointAugment(s.seed(), scale, scale, 0, 0, false, 0, FILL, Resampler.JAVA);
            DetSample img = resize.apply(raw, 0, i);
            DetBatch batch = DetBatch.of(List.of(img), 128);
            try (NDManager sm = base.newSubManager()) {
                NDList out = net.forward(ps, new NDList(batch.images(sm)), false);
                float[] probs = Activation.sigmoid(out.get(2 * (exit - 1))).toFloatArray();
                float[] deltas = out.get(2 * (exit - 1) + 1).toFloatArray();
                float[] anchors = gen.generate(batch.height(), batch.width());
                List<Detection> dets =
                        decoder.decode(
                                probs,
                                deltas,
                                anchors,
                                gen.countsPerLevel(batch.height(), batch.width()),
                                net.numClasses(),
                                img.height(),
                                img.width());
                double sx = (double) raw.width() / img.width();
                double sy = (double) raw.height() / img.height();
                List<Detection> mapped = new ArrayList<>();
                for (Detection d : dets) {
                    mapped.add(
                            new Detection(
                                    (float) (d.x1() * sx),
                                    (float) (d.y1() * sy),
                                    (float) (d.x2() * sx),
                                    (float) (d.y2() * sy),
                                    d.score(),
                                    d.classId()));
                }
                all.add(mapped);
            }
        }
        return all;
    }

    /**
     * COCO ground truth of a dataset: image ids 0…n−1, category ids classId + 1, ignore regions as
     * crowd boxes.
     */
    public static CocoGroundTruth groundTruth(DetDataset data) {
        List<Long> ids = new ArrayList<>();
        List<CocoGroundTruth.Annotation> anns = new ArrayList<>();
        long next = 1;
        for (int i = 0; i < data.size(); i++) {
            ids.add((long) i);
            DetSample s = data.get(i);
            for (Box b : s.boxes()) {
                anns.add(
                        CocoGroundTruth.Annotation.box(
                                next++, i, b.classId() + 1, b.x1(), b.y1(), b.width(), b.height()));
            }
            for (Box b : s.ignoreRegions()) {
                double area = (double) b.width() * b.height();
                anns.add(
                        new CocoGroundTruth.Annotation(
                                next++,
                                i,
                                b.classId() + 1,
                                b.x1(),
                                b.y1(),
                                b.width(),
                                b.height(),
                                area,
                                true));
            }
        }
        List<CocoGroundTruth.Category> cats = new ArrayList<>();
        for (int k = 0; k < data.numClasses(); k++) {
            cats.add(new CocoGroundTruth.Category(k + 1, data.classNames().get(k)));
        }
        return CocoGroundTruth.of(ids, cats, anns);
    }

    /** Detections in the COCO results form, image ids and category ids as {@link #groundTruth}. */
    public static List<CocoDetections.Detection> cocoResults(List<List<Detection>> perImage) {
        List<CocoDetections.Detection> out = new ArrayList<>();
        for (int i = 0; i < perImage.size(); i++) {
            for (Detection d : perImage.get(i)) {
                out.add(
                        new CocoDetections.Detection(
                                i,
                                d.classId() + 1,
                                d.x1(),
                                d.y1(),
                                d.x2() - d.x1(),
                                d.y2() - d.y1(),
                                d.score()));
            }
        }
        return out;
    }

    /** Scores the detector on a dataset with COCO AP. */
    public static CocoStats score(
            RetinaNet net, DetDataset data, Settings s, int exit, NDManager base) {
        CocoGroundTruth gt = groundTruth(data);
        List<List<Detection>> dets = detect(net, data, s, exit, base);
        return CocoEvaluator.evaluate(gt, CocoDetections.of(gt, cocoResults(dets)));
    }
}
