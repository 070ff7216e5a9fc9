package org.dpnas.cli.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.cli.JobOptions;
import org.dpnas.cli.JobOptions.Key;
import org.dpnas.cli.JobOptions.Kind;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.datasets.SegDatasets;

/**
 * The defaults of {@code dpnas train} ({@code train-defaults.json}, with the shared data section of
 * {@code datasets}) and its convenience options, each of which sets one config key.
 */
public final class TrainConfigs {

    private static final String RESOURCE = "/org/dpnas/cli/train-defaults.json";

    /** The options of {@code dpnas train} over its defaults. */
    public static final JobOptions OPTIONS =
            new JobOptions(
                            TrainConfigs::defaults,
                            List.of(
                                    new Key(
                                            "model",
                                            "NAME",
                                            "network to train: a registered model, or a search method (needs"
                                                    + " --genotype)",
                                            "model.name",
                                            Kind.STRING),
                                    new Key(
                                            "genotype",
                                            "FILE",
                                            "genotype.json to retrain from scratch (implies --model of its"
                                                    + " 'method'; copied into the run as"
                                                    + " genotype.json)",
                                            "model.genotype",
                                            Kind.STRING),
                                    new Key(
                                            "backbone",
                                            "ARCH",
                                            "DeepLabv3+ backbone: resnet50, mobilenet_v2 (or"
                                                    + " resnet10/18/34/101)",
                                            "model.backbone",
                                            Kind.STRING),
                                    new Key(
                                            "backbone-weights",
                                            "FILE",
                                            "torchvision backbone weights (.safetensors) for"
                                                    + " DeepLabv3+",
                                            "model.backbone_weights",
                                            Kind.STRING),
                                    new Key(
                                            "output-stride",
                                            "N",
                                            "DeepLabv3+ output stride, 8 or 16",
                                            "model.output_stride",
                                            Kind.INT),
                                    new Key(
                                            "init-weights",
                                            "FILE",
                                            "start from these weights (.safetensors, e.g. from"
                                                    + " weights export)",
                                            "model.init_weights",
                                            Kind.STRING),
                                    new Key(
                                            "strict",
                                            "BOOL",
                                            "weights files must match exactly (false: load what"
                                                    + " matches, print the rest)",
                                            "model.strict_weights",
                                            Kind.STRING),
                                    new Key(
                                            "backbone-lr-mult",
                                            "X",
                                            "backbone learning rate relative to --lr (0 freezes"
                                                    + " it)",
                                            "train.backbone_lr_mult",
                                            Kind.FLOAT),
                                    JobOptions.DATASET,
                                    JobOptions.ROOT,
                                    new Key(
                                            "on-bad-sample",
                                            "MODE",
                                            "unreadable sample: fail (stop, naming the file) or skip (use the"
                                                    + " next good one)",
                                            "data.on_bad_sample",
                                            Kind.STRING),
                                    new Key(
                                            "workers",
                                            "N",
                                            "threads reading a batch's samples (0: one per core)",
                                            "data.workers",
                                            Kind.INT),
                                    JobOptions.SEED,
                                    new Key(
                                            "max-steps",
                                            "N",
                                            "training steps",
                                            "train.max_steps",
                                            Kind.INT),
                                    new Key(
                                            "batch-size",
                                            "N",
                                            "images per step",
                                            "train.batch_size",
                                            Kind.INT),
                                    new Key(
                                            "lr",
                                            "X",
                                            "base learning rate",
                                            "train.lr",
                                            Kind.FLOAT),
                                    new Key(
                                            "checkpoint-every",
                                            "N",
                                            "steps between checkpoints (and one at the end)",
                                            "train.checkpoint_every",
                                            Kind.INT),
                                    new Key(
                                            "eval-every",
                                            "N",
                                            "steps between validations (0: only at the end)",
                                            "train.eval_every",
                                            Kind.INT),
                                    JobOptions.DEVICE,
                                    JobOptions.THREADS))
                    .implyingFrom(
                            "genotype",
                            cl ->
                                    "model.name="
                                            + new JsonPrimitive(
                                                    genotypeMethod(
                                                            Path.of(
                                                                    cl.getOptionValue(
                                                                            "genotype")))));

    /** The method of a genotype file, as a user error naming the file when it cannot be read. */
    static String genotypeMethod(Path file) {
        try {
            return Models.methodOf(file);
        } catch (IllegalArgumentException e) {
            throw new org.dpnas.cli.CliException(e.getMessage());
        }
    }

    private TrainConfigs() {}

    /** A fresh copy of the defaults. */
    public static JsonObject defaults() {
        return SegDatasets.withData(
                ConfigLoader.defaultsFromResource(TrainConfigs.class, RESOURCE), "model");
    }

    /** The default value of a dotted key, as shown in help. */
    public static String defaultOf(String key) {
        return OPTIONS.defaultOf(key);
    }
}
