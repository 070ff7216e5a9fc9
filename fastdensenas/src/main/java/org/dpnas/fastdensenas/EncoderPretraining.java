package org.dpnas.fastdensenas;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.nn.Resize;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.common.train.GradClip;
import org.dpnas.common.train.Losses;
import org.dpnas.common.train.ParamIO;
import org.dpnas.common.train.Seeds;

/**
 * The fallback when a FastDenseNAS search has no pretrained encoder: a short supervised training of
 * the MobileNet-v2 encoder from scratch on the run's own training part (never the held-out part),
 * with a 1×1 classifier on each of the four outputs whose logits are resized to stride 4 and
 * summed. The paper's encoder is pretrained on ImageNet and PASCAL VOC; this one only makes the
 * encoder's features non-random, so rewards are lower and the search is a demonstration, which the
 * log says.
 */
final class EncoderPretraining {

    private EncoderPretraining() {}

    /**
     * Trains the encoder and writes its weights (torchvision names) to {@code target}.
     *
     * @param s the settings (steps, batch, rate, crop of stage 1, width)
     * @param view the augmented training part
     * @param mean normalisation mean
     * @param std normalisation std
     * @param numClasses the classes
     * @param seed the run's seed
     * @param target the weights file, written atomically
     * @param console where progress goes
     */
    static void run(
            FdnSettings s,
            SegDataset view,
            float[] mean,
            float[] std,
            int numClasses,
            long seed,
            Path target,
            PrintStream console)
            throws IOException {
        console.printf(
                Locale.ROOT,
                "NO ENCODER WEIGHTS (model.encoder_weights / --encoder-weights not given):"
                        + " pre-training MobileNet-v2 from scratch for %d steps (batch %d) on this"
                        + " run's own training part. The paper uses an ImageNet/VOC-pretrained"
                        + " encoder; rewards here will be lower and only demonstrate the search.%n",
                s.pretrainSteps(),
                s.pretrainBatch());
        long t0 = System.nanoTime();
        int batch = Math.min(s.pretrainBatch(), view.size());
        try (NDManager base = NDManager.newBaseManager();
                Constants constants = new Constants(base)) {
            Seeds.seedEngine(Seeds.mix(seed, "fdn-encoder-pretrain"));
            FdnEncoder encoder = new FdnEncoder(s.widthMultiplier());
            Shape in = new Shape(batch, 3, s.stage1Crop()[0], s.stage1Crop()[1]);
            encoder.initialize(base, DataType.FLOAT32, in);
            Shape[] taps = encoder.getOutputShapes(new Shape[] {in});
            List<Conv2d> heads = new ArrayList<>();
            for (Shape t : taps) {
                Conv2d h =
                        Conv2d.builder()
                                .setFilters(numClasses)
                                .setKernelShape(new Shape(1, 1))
                                .optBias(true)
                                .build();
                h.initialize(base, DataType.FLOAT32, t);
                heads.add(h);
            }
            List<Parameter> params = new ArrayList<>(ParamIO.trainable(encoder));
            for (Conv2d h : heads) {
                params.addAll(ParamIO.trainable(h));
            }
            Adam adam = new Adam(0.9f, 0.999f, 1e-8f, s.weightDecay(), false);
            ParameterStore ps = new ParameterStore(base, false);
            SegBatcher batcher = new SegBatcher(view, mean, std);
            EpochSampler sampler =
                    new EpochSampler(view.size(), batch, Seeds.mix(seed, "fdn-pretrain-order"));
            double avg = 0;
            for (long t = 0; t < s.pretrainSteps(); t++) {
                try (NDManager sm = base.newSubManager()) {
                    NDList xy = batcher.assemble(sampler.batch(t), sampler.epochOf(t)).toNDList(sm);
                    NDArray labels = StageOneCache.downsample(xy.get(1));
                    long h = labels.getShape().get(1);
                    long w = labels.getShape().get(2);
                    NDArray loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDList out = encoder.forward(ps, new NDList(xy.get(0)), true);
                        NDArray sum = null;
                        for (int i = 0; i < out.size(); i++) {
                            NDArray z =
                                    Resize.bilinear(
                                            heads.get(i)
                                                    .forward(ps, new NDList(out.get(i)), true)
                                                    .head(),
                                            h,
                                            w);
                            sum = sum == null ? z : sum.add(z);
                        }
                        loss = Losses.crossEntropy(sum, labels, SegSample.IGNORE, constants);
                        gc.backward(loss);
                    }
                    if (s.gradClip() > 0) {
                        GradClip.clipByGlobalNorm(params, s.gradClip(), sm, constants);
                    }
                    adam.step(params, s.pretrainLr());
                    double l = loss.getFloat();
                    avg = t == 0 ? l : 0.9 * avg + 0.1 * l;
                    if ((t + 1) % s.logEvery() == 0 || t + 1 == s.pretrainSteps()) {
                        console.printf(
                                Locale.ROOT,
                                "encoder pre-training step %d/%d loss %.4f%n",
                                t + 1,
                                s.pretrainSteps(),
                                avg);
                    }
                }
            }
            adam.close();
            WeightFiles.save(
                    encoder.backbone(),
                    target,
                    Map.of(
                            "source",
                            "dpnas fastdensenas encoder pre-training, "
                                    + s.pretrainSteps()
                                    + " steps"));
        }
        console.printf(
                Locale.ROOT,
                "encoder pre-trained in %.1f s -> %s%n",
                (System.nanoTime() - t0) / 1e9,
                target);
    }
}
