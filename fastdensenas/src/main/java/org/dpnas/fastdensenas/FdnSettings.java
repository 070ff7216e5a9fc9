package org.dpnas.fastdensenas;

import java.nio.file.Path;
import org.dpnas.common.config.Config;
import org.dpnas.common.search.rl.RlSearch;

/**
 * The settings of a FastDenseNAS search read from its resolved configuration ({@code space}, {@code
 * model} and {@code search} sections; the reference's defaults in {@code search-defaults.json}),
 * validated with messages that name the key.
 *
 * @param cells decoder cells (3)
 * @param cellLayers layers per cell, the first included (4)
 * @param aggSize decoder width (48)
 * @param widthMultiplier MobileNet-v2 width multiplier (1)
 * @param encoderWeights torchvision MobileNet-v2 weights, or null for a short pre-training
 * @param algorithm the controller's estimator
 * @param children children to sample
 * @param controllerLr controller Adam rate (1e-4)
 * @param heldOutFraction the part of the training split held out for the reward (0.1)
 * @param pretrainSteps encoder pre-training steps without weights
 * @param pretrainBatch its batch
 * @param pretrainLr its Adam rate
 * @param stage1Samples stage-1 subset size (4,000)
 * @param stage1CacheMib bound of the cached encoder outputs, MiB
 * @param stage1Batch stage-1 batch (64)
 * @param stage1Crop stage-1 crop [h, w] (256)
 * @param stage1Epochs stage-1 epochs over the subset (5)
 * @param stage1MaxSteps cap on stage-1 steps (0: none)
 * @param teacher a training run whose logits are distilled, or null
 * @param kdWeight distillation weight (0.3)
 * @param auxWeight auxiliary loss weight per cell (0.15)
 * @param auxCells auxiliary cells (true) or plain auxiliary heads
 * @param polyak1 stage-1 Polyak decay (0.9)
 * @param polyak2 stage-2 Polyak decay (0.99)
 * @param stage2Batch stage-2 batch (32)
 * @param stage2Crop stage-2 crop (350)
 * @param stage2Epochs stage-2 epochs over the training part (1)
 * @param stage2MaxSteps cap on stage-2 steps (0: none)
 * @param encoderLr stage-2 encoder SGD rate (1e-3)
 * @param decoderLr decoder Adam rate in both stages (3e-3)
 * @param encoderMomentum encoder SGD momentum (0.9)
 * @param weightDecay weight decay of both (1e-5)
 * @param gradClip gradient-norm clip of encoder and decoder, each (3)
 * @param earlyStopAverage the running average's start (0.01)
 * @param earlyStopDelta the random margin's start δ (0.9)
 * @param logEvery steps between log lines
 * @param evalBatch held-out evaluation batch
 */
public record FdnSettings(
        int cells,
        int cellLayers,
        int aggSize,
        float widthMultiplier,
        Path encoderWeights,
        RlSearch.Algorithm algorithm,
        int children,
        double controllerLr,
        double heldOutFraction,
        int pretrainSteps,
        int pretrainBatch,
        float pretrainLr,
        int stage1Samples,
        long stage1CacheMib,
        int stage1Batch,
        int[] stage1Crop,
        int stage1Epochs,
        long stage1MaxSteps,
        Path teacher,
        float kdWeight,
        float auxWeight,
        boolean auxCells,
        float polyak1,
        float polyak2,
        int stage2Batch,
        int[] stage2Crop,
        int stage2Epochs,
        long stage2MaxSteps,
        float encoderLr,
        float decoderLr,
        float encoderMomentum,
        float weightDecay,
        float gradClip,
        double earlyStopAverage,
        double earlyStopDelta,
        int logEvery,
        int evalBatch) {

    /** The number of encoder outputs the decoder reads. */
    public static final int ENCODER_OUTPUTS = FdnEncoder.TAPS.size();

    /**
     * Reads the settings.
     *
     * @throws IllegalArgumentException naming the key of a value that does not fit
     */
    public static FdnSettings of(Config config) {
        Config sp = config.sub("space");
        Config m = config.sub("model");
        Config s = config.sub("search");
        return new FdnSettings(
                sp.getInt("cells"),
                sp.getInt("cell_layers"),
                sp.getInt("agg_size"),
                m.getFloat("width_multiplier"),
                m.isNull("encoder_weights") ? null : existing(m, "encoder_weights"),
                switch (s.getString("algorithm")) {
                    case "ppo" -> RlSearch.Algorithm.PPO;
                    case "reinforce" -> RlSearch.Algorithm.REINFORCE;
                    default ->
                            throw new IllegalArgumentException(
                                    "search.algorithm must be ppo or reinforce, got '"
                                            + s.getString("algorithm")
                                            + "'");
                },
                s.getInt("children"),
                s.getDouble("controller_lr"),
                s.getDouble("held_out_fraction"),
                s.getInt("pretrain_steps"),
                s.getInt("pretrain_batch"),
                s.getFloat("pretrain_lr"),
                s.getInt("stage1_samples"),
                s.getLong("stage1_cache_mib"),
                s.getInt("stage1_batch"),
                crop(s, "stage1_crop"),
                s.getInt("stage1_epochs"),
                s.getLong("stage1_max_steps"),
                s.isNull("teacher") ? null : existing(s, "teacher"),
                s.getFloat("kd_weight"),
                s.getFloat("aux_weight"),
                s.getBoolean("aux_cells"),
                s.getFloat("polyak_stage1"),
                s.getFloat("polyak_stage2"),
                s.getInt("stage2_batch"),
                crop(s, "stage2_crop"),
                s.getInt("stage2_epochs"),
                s.getLong("stage2_max_steps"),
                s.getFloat("encoder_lr"),
                s.getFloat("decoder_lr"),
                s.getFloat("encoder_momentum"),
                s.getFloat("weight_decay"),
                s.getFloat("grad_clip"),
                s.getDouble("early_stop_average"),
                s.getDouble("early_stop_delta"),
                s.getInt("log_every"),
                config.getInt("eval.batch_size"));
    }

    private static Path existing(Config c, String key) {
        Path p = Path.of(c.getString(key));
        if (!java.nio.file.Files.exists(p)) {
            throw new IllegalArgumentException(c.path() + "." + key + ": " + p + " not found");
        }
        return p;
    }

    private static int[] crop(Config c, String key) {
        int[] v = c.getIntArray(key);
        if (v.length != 2) {
            throw new IllegalArgumentException(
                    "search." + key + " must be [height, width], got " + v.length + " values");
        }
        return v;
    }

    /** The decoder space at these sizes. */
    public DecoderSpace space() {
        return new DecoderSpace(ENCODER_OUTPUTS, cells, cellLayers);
    }

    /** Whether stage 2 runs at all. */
    public boolean hasStage2() {
        return stage2Epochs > 0 || stage2MaxSteps > 0;
    }
}
