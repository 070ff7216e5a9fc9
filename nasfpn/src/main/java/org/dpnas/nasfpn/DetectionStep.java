package org.dpnas.nasfpn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dpnas.common.data.Box;
import org.dpnas.common.det.AnchorGenerator;
import org.dpnas.common.det.AnchorMatcher;
import org.dpnas.common.det.BoxCoder;
import org.dpnas.common.det.DetectionLoss;
import org.dpnas.common.det.DetectionTargets;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.NonFiniteException;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Seeds;
import org.dpnas.common.train.TrainLoop;
import org.dpnas.datasets.augment.JointAugment;
import org.dpnas.datasets.augment.Resampler;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.DetSample;

/**
 * One RetinaNet training step (Lin et al., ICCV 2017, section 4): the batch of step {@code t} is a
 * pure function of (seed, t) — image indices drawn from {@code Seeds.mix(seed, "det-batch", t)},
 * box-aware augmentation (scale in [0.8, 1.2] of the factor that fits the first image's longer side
 * into the crop, a random square crop that clips or drops boxes, horizontal flip) — so a resumed
 * run sees the batches of an uninterrupted one; the loss is summed over every exit (deep
 * supervision of anytime detection, NAS-FPN section 3.3) and one Adam update follows.
 *
 * <p>The anchors of the fixed crop size are generated once; only the per-image matching runs per
 * step.
 */
public final class DetectionStep implements TrainLoop.Step {

    static final int[] FILL = {124, 116, 104};

    private final RetinaNet net;
    private final DetDataset data;
    private final DetectorTrainer.Settings settings;
    private final ParamGroup weights;
    private final Constants constants;
    private final ParameterStore store;
    private final JointAugment augment;
    private final float[] anchors;
    private final DetectionLoss loss = DetectionLoss.retinaNet();
    private final AnchorMatcher matcher = AnchorMatcher.retinaNet();
    private final BoxCoder coder = new BoxCoder();
    private Timing timing;

    /**
     * Where a step's time went, in nanoseconds of this thread's CPU time (libtorch at one intra-op
     * thread computes on the calling thread, so this is the work of the step whatever the machine's
     * load), filled when {@link #timed} is set.
     */
    public static final class Timing {
        /** Batch assembly: reading, augmentation, padding, anchor matching. */
        public long data;

        /** Forward pass. */
        public long forward;

        /** Loss. */
        public long loss;

        /** Backward pass. */
        public long backward;

        /** Optimizer update. */
        public long update;
    }

    /**
     * Creates the step.
     *
     * @param net the detector (initialised)
     * @param data the training images (not empty)
     * @param settings crop size, batch, learning rate and seed
     * @param weights the parameters with their optimizer
     * @param constants the run's constants
     * @param store the parameter store of the forward pass
     */
    public DetectionStep(
            RetinaNet net,
            DetDataset data,
            DetectorTrainer.Settings settings,
            ParamGroup weights,
            Constants constants,
            ParameterStore store) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("the training split is empty");
        }
        this.net = net;
        this.data = data;
        this.settings = settings;
        this.weights = weights;
        this.constants = constants;
        this.store = store;
        DetSample first = data.get(0);
        double fit = (double) settings.imageSize() / Math.max(first.height(), first.width());
        this.augment =
                new JointAugment(
                        settings.seed(),
                        0.8 * fit,
                        1.2 * fit,
                        settings.imageSize(),
                        settings.imageSize(),
                        true,
                        0,
                        FILL,
                        Resampler.JAVA);
        this.anchors =
                AnchorGenerator.retinaNet().generate(settings.imageSize(), settings.imageSize());
    }

    /** Records where the time of the following steps goes into {@code t}. */
    public DetectionStep timed(Timing t) {
        this.timing = t;
        return this;
    }

    /** The augmented samples of step {@code t}. */
    List<DetSample> samples(long t) {
        SplittableRandom r = new SplittableRandom(Seeds.mix(settings.seed(), "det-batch", t));
        List<DetSample> out = new ArrayList<>();
        for (int i = 0; i < settings.batch(); i++) {
            int index = r.nextInt(data.size());
            out.add(augment.apply(data.get(index), t, index));
        }
        return out;
    }

    /** This thread's CPU time in nanoseconds. */
    static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    @Override
    public NDArray run(NDManager sm, long t) {
        boolean time = timing != null;
        long t0 = time ? cpu() : 0;
        DetBatch batch = DetBatch.of(samples(t), 1);
        List<DetectionTargets> targets = new ArrayList<>();
        for (List<Box> boxes : batch.boxes()) {
            targets.add(DetectionTargets.of(anchors, boxes, matcher, coder));
        }
        NDArray x = batch.images(sm);
        long t1 = time ? cpu() : 0;
        NDArray total;
        long t2;
        long t3;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDList out = net.forward(store, new NDList(x), true);
            t2 = time ? cpu() : 0;
            total = null;
            for (int e = 0; e < net.exits(); e++) {
                NDArray[] l = loss.compute(out.get(2 * e), out.get(2 * e + 1), targets, constants);
                NDArray sum = l[0].add(l[1]);
                total = total == null ? sum : total.add(sum);
            }
            float value = total.getFloat();
            if (!Float.isFinite(value)) {
                throw new NonFiniteException(t, "detector loss is " + value);
            }
            t3 = time ? cpu() : 0;
            gc.backward(total);
        }
        long t4 = time ? cpu() : 0;
        weights.step(settings.lr());
        long t5 = time ? cpu() : 0;
        if (timing != null) {
            timing.data += t1 - t0;
            timing.forward += t2 - t1;
            timing.loss += t3 - t2;
            timing.backward += t4 - t3;
            timing.update += t5 - t4;
        }
        return total;
    }
}
