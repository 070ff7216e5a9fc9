package org.dpnas.cli.pretrain;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.basicdataset.cv.classification.ImageFolder;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.nn.backbone.Backbone;
import org.dpnas.common.nn.backbone.Backbones;
import org.dpnas.common.train.Devices;
import org.dpnas.common.train.Seeds;
import org.dpnas.datasets.djl.ClassFolders;
import org.dpnas.datasets.seg.DatasetException;

/**
 * Classification pre-training of a backbone on an image folder with DJL's own training API: {@code
 * basicdataset}'s {@link ImageFolder} feeds a {@link Trainer} (SGD with momentum, softmax
 * cross-entropy, accuracy), one {@link EasyTrain#trainBatch} and {@link Trainer#step} per batch;
 * the backbone's weights, BatchNorm statistics included, are written as safetensors under the
 * suite's (torchvision) names, which {@code model.backbone_weights} and {@code dpnas backbone
 * forward} load.
 *
 * <p>Why DJL's loop and not the suite's: the classifier has one parameter group and a loss DJL
 * ships (its softmax cross-entropy passes no Java number to an op on the differentiated path), and
 * DJL's {@code DataIterable} gives every batch its own sub-manager that {@code trainBatch}'s
 * forward and backward results land in, closed with the batch; {@link Result#arraysAfterFirstEpoch}
 * and {@link Result#arraysAtEnd} (the model manager's arrays) show that no array piles up.
 */
public final class Pretraining {

    /**
     * What to train.
     *
     * @param images the folder, one sub-folder per class
     * @param arch the backbone, one of {@link Backbones#NAMES}
     * @param widthMultiplier MobileNet-v2's width multiplier (1 for ResNets)
     * @param out the safetensors file the backbone's weights are written to
     * @param size the square side images are resized to
     * @param epochs passes over the folder
     * @param maxSteps stop after this many batches (0: no limit)
     * @param batchSize images per batch
     * @param lr SGD learning rate
     * @param momentum SGD momentum
     * @param weightDecay L2 weight decay
     * @param flip random horizontal flips
     * @param seed the engine's random seed (weights, order, flips)
     * @param threads libtorch intra-op threads (0: libtorch's default)
     */
    public record Params(
            Path images,
            String arch,
            float widthMultiplier,
            Path out,
            int size,
            int epochs,
            int maxSteps,
            int batchSize,
            float lr,
            float momentum,
            float weightDecay,
            boolean flip,
            long seed,
            int threads) {}

    /**
     * What pre-training did.
     *
     * @param classes the class names in label order
     * @param images the number of images in the folder
     * @param steps batches trained
     * @param epochLoss the mean training loss of each epoch
     * @param epochAccuracy the training accuracy of each epoch
     * @param arraysAfterFirstEpoch arrays held by the model's manager after the first epoch
     * @param arraysAtEnd arrays held by the model's manager after the last epoch
     * @param probeInput the first image of the folder as the network saw it (1, 3, size, size)
     * @param probeFeatures the trained backbone's deepest tap on it, in inference mode
     * @param probeShape the shape of the deepest tap
     * @param seconds the wall time of training
     */
    public record Result(
            List<String> classes,
            int images,
            long steps,
            List<Double> epochLoss,
            List<Double> epochAccuracy,
            int arraysAfterFirstEpoch,
            int arraysAtEnd,
            float[] probeInput,
            float[] probeFeatures,
            long[] probeShape,
            double seconds) {}

    /** The suite's image normalisation (ImageNet statistics, as the data defaults). */
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};

    /** The suite's image normalisation (ImageNet statistics, as the data defaults). */
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    private Pretraining() {}

    /**
     * Checks the folder, trains and writes the backbone's weights.
     *
     * @param p what to train
     * @param console one line per epoch
     * @return what was done
     * @throws DatasetException naming the folder, class folder or image at fault
     * @throws IllegalArgumentException for a bad backbone name or setting
     * @throws IOException when the weights cannot be written
     */
    public static Result run(Params p, PrintStream console) throws IOException {
        Backbone backbone = Backbones.create(p.arch(), 32, p.widthMultiplier());
        ClassFolders.Listing listing = ClassFolders.check(p.images());
        console.printf(
                Locale.ROOT,
                "%s: %d images in %d classes (%s)%n",
                p.images(),
                listing.images(),
                listing.classes().size(),
                String.join(", ", listing.classes()));
        Device device = Devices.setUp(p.threads(), "cpu");
        Seeds.seedEngine(p.seed());
        ImageFolder train =
                ClassFolders.open(p.images(), p.size(), p.flip(), MEAN, STD, p.batchSize(), true);
        List<String> classes = train.getClasses();
        ClassifierNet net = new ClassifierNet(backbone, classes.size());
        DefaultTrainingConfig config =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(
                                Optimizer.sgd()
                                        .setLearningRateTracker(Tracker.fixed(p.lr()))
                                        .optMomentum(p.momentum())
                                        .optWeightDecays(p.weightDecay())
                                        .build())
                        .optDevices(new Device[] {device})
                        .addEvaluator(new Accuracy());
        EpochStats stats = new EpochStats();
        config.addTrainingListeners(stats);
        long t0 = System.nanoTime();
        try (Model model = Model.newInstance("dpnas-pretrain-" + p.arch(), device)) {
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 3, p.size(), p.size()));
                List<Double> losses = new ArrayList<>();
                List<Double> accuracies = new ArrayList<>();
                long steps = 0;
                int afterFirst = -1;
                epochs:
                for (int epoch = 0; epoch < p.epochs(); epoch++) {
                    stats.reset();
                    for (Batch batch : iterate(trainer, train, p.images())) {
                        try (batch) {
                            EasyTrain.trainBatch(trainer, batch);
                            trainer.step();
                        }
                        steps++;
                        if (p.maxSteps() > 0 && steps >= p.maxSteps()) {
                            losses.add(stats.loss());
                            accuracies.add(stats.accuracy());
                            break epochs;
                        }
                    }
                    losses.add(stats.loss());
                    accuracies.add(stats.accuracy());
                    console.printf(
                            Locale.ROOT,
                            "epoch %d: loss %.4f, accuracy %.3f (%d steps)%n",
                            epoch + 1,
                            stats.loss(),
                            stats.accuracy(),
                            steps);
                    if (epoch == 0) {
                        afterFirst = model.getNDManager().getManagedArrays().size();
                    }
                }
                int atEnd = model.getNDManager().getManagedArrays().size();
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("arch", p.arch());
                meta.put("width_multiplier", Float.toString(p.widthMultiplier()));
                meta.put("pretrained_on", p.images().toAbsolutePath().normalize().toString());
                meta.put("classes", String.join(",", classes));
                meta.put("image_size", Integer.toString(p.size()));
                meta.put("steps", Long.toString(steps));
                meta.put("final_loss", String.format(Locale.ROOT, "%.6f", last(losses)));
                meta.put("seed", Long.toString(p.seed()));
                meta.put("written_by", "dpnas pretrain");
                WeightFiles.save(net.backbone(), p.out(), meta);
                float[][] probe = probe(model, net, p.images(), p.size());
                return new Result(
                        List.copyOf(classes),
                        listing.images(),
                        steps,
                        List.copyOf(losses),
                        List.copyOf(accuracies),
                        afterFirst < 0 ? atEnd : afterFirst,
                        atEnd,
                        probe[0],
                        probe[1],
                        toLongs(probe[2]),
                        seconds);
            }
        }
    }

    /** The batches of one epoch; a file that fails to decode is named with the folder. */
    private static Iterable<Batch> iterate(Trainer trainer, ImageFolder data, Path root) {
        try {
            return trainer.iterateDataset(data);
        } catch (IOException | TranslateException e) {
            throw new DatasetException(root, "cannot read a batch: " + e.getMessage(), e);
        }
    }

    /**
     * The first image of the folder (resized and normalised, not flipped) and the trained
     * backbone's deepest tap on it, in inference mode.
     */
    private static float[][] probe(Model model, ClassifierNet net, Path images, int size)
            throws IOException {
        ImageFolder plain = ClassFolders.open(images, size, false, MEAN, STD, 1, false);
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x;
            try (Batch first = plain.getData(m).iterator().next()) {
                x = first.getData().singletonOrThrow();
                x.attach(m);
            } catch (TranslateException e) {
                throw new DatasetException(images, "cannot read the first image: " + e, e);
            }
            NDList taps =
                    net.backbone().forward(new ParameterStore(m, false), new NDList(x), false);
            NDArray deepest = taps.get(taps.size() - 1);
            long[] shape = deepest.getShape().getShape();
            float[] s = new float[shape.length];
            for (int i = 0; i < shape.length; i++) {
                s[i] = shape[i];
            }
            return new float[][] {x.toFloatArray(), deepest.toFloatArray(), s};
        }
    }

    private static long[] toLongs(float[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (long) v[i];
        }
        return out;
    }

    private static double last(List<Double> v) {
        return v.isEmpty() ? Double.NaN : v.get(v.size() - 1);
    }

    /** Mean loss and accuracy over the batches of the current epoch, from the trainer's batches. */
    private static final class EpochStats extends TrainingListenerAdapter {
        private double lossSum;
        private long correct;
        private long seen;
        private long batches;

        void reset() {
            lossSum = 0;
            correct = 0;
            seen = 0;
            batches = 0;
        }

        double loss() {
            return batches == 0 ? Double.NaN : lossSum / batches;
        }

        double accuracy() {
            return seen == 0 ? Double.NaN : (double) correct / seen;
        }

        @Override
        public void onTrainingBatch(Trainer trainer, TrainingListener.BatchData batchData) {
            for (Device d : batchData.getLabels().keySet()) {
                NDList labels = batchData.getLabels().get(d);
                NDList preds = batchData.getPredictions().get(d);
                try (NDArray loss = trainer.getLoss().evaluate(labels, preds)) {
                    lossSum += loss.getFloat();
                }
                NDArray label = labels.singletonOrThrow();
                try (NDArray hit =
                        preds.singletonOrThrow()
                                .argMax(1)
                                .toType(label.getDataType(), false)
                                .eq(label)) {
                    correct += hit.countNonzero().getLong();
                }
                seen += label.size();
                batches++;
            }
        }
    }
}
