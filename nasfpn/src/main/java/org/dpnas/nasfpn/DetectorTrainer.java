package org.dpnas.nasfpn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.data.Box;
import org.dpnas.common.det.AnchorGenerator;
import org.dpnas.common.det.Detection;
import org.dpnas.common.det.DetectionDecoder;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.Optimizer;
import org.dpnas.common.train.ParamGroup;
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

    private static final int[] FILL = DetectionStep.FILL;

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
        initialize(net, s, base);
        List<Float> losses = new ArrayList<>();
        ParamGroup weights = weights(net);
        try (Constants c = new Constants(base)) {
            DetectionStep step =
                    new DetectionStep(net, data, s, weights, c, new ParameterStore(base, false));
            for (int t = 0; t < s.steps(); t++) {
                try (NDManager sm = base.newSubManager()) {
                    losses.add(step.run(sm, t).getFloat());
                }
            }
        } finally {
            weights.optimizer().close();
        }
        return losses;
    }

    /** Initialises the detector at the training input shape, seeded, unless it already is. */
    public static void initialize(RetinaNet net, Settings s, NDManager base) {
        if (!net.isInitialized()) {
            Seeds.seedEngine(s.seed());
            net.initialize(
                    base, DataType.FLOAT32, new Shape(s.batch(), 3, s.imageSize(), s.imageSize()));
        }
    }

    /** Every trainable parameter of the detector in one group with a fresh Adam. */
    public static ParamGroup weights(RetinaNet net) {
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                params.add(p.getValue());
            }
        }
        return new ParamGroup(
                "weights", params, Optimizer.create("adam", 0f, 1e-4f, 0.9f, 0.999f, 1e-8f));
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
        List<List<Detection>> all = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            Prepared p = prepare(data.get(i), s.imageSize());
            try (NDManager sm = base.newSubManager()) {
                NDList out = net.forward(ps, new NDList(p.batch().images(sm)), false);
                all.add(decode(out, exit, net.numClasses(), p));
            }
        }
        return all;
    }

    /**
     * An image scaled for detection.
     *
     * @param batch the scaled image, normalised and padded to a multiple of 128
     * @param height scaled height
     * @param width scaled width
     * @param rawHeight original height
     * @param rawWidth original width
     */
    public record Prepared(DetBatch batch, int height, int width, int rawHeight, int rawWidth) {}

    /**
     * Scales an image so its longer side is {@code imageSize} (bilinear, as training's
     * augmentation), normalises it and pads it to a multiple of 128.
     */
    public static Prepared prepare(DetSample raw, int imageSize) {
        double scale = (double) imageSize / Math.max(raw.height(), raw.width());
        JointAugment resize =
                new JointAugment(0, scale, scale, 0, 0, false, 0, FILL, Resampler.JAVA);
        DetSample img = resize.apply(raw, 0, 0);
        return new Prepared(
                DetBatch.of(List.of(img), 128),
                img.height(),
                img.width(),
                raw.height(),
                raw.width());
    }

    /**
     * Decodes one image's network output at an exit (sigmoid, top-k per level, box decoding,
     * class-wise NMS) into boxes in the original image's pixels.
     *
     * @param out the network's output for a batch of one
     * @param exit the exit, from 1
     * @param numClasses K
     * @param p the prepared image
     */
    public static List<Detection> decode(NDList out, int exit, int numClasses, Prepared p) {
        AnchorGenerator gen = AnchorGenerator.retinaNet();
        DetBatch batch = p.batch();
        float[] probs = Activation.sigmoid(out.get(2 * (exit - 1))).toFloatArray();
        float[] deltas = out.get(2 * (exit - 1) + 1).toFloatArray();
        float[] anchors = gen.generate(batch.height(), batch.width());
        List<Detection> dets =
                DetectionDecoder.retinaNet()
                        .decode(
                                probs,
                                deltas,
                                anchors,
                                gen.countsPerLevel(batch.height(), batch.width()),
                                numClasses,
                                p.height(),
                                p.width());
        double sx = (double) p.rawWidth() / p.width();
        double sy = (double) p.rawHeight() / p.height();
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
        return mapped;
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
