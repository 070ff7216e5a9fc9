package org.dpnas.cli.weights;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.dpnas.common.config.Config;
import org.dpnas.common.io.SafeTensorsException;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.nn.DeepLabV3Plus;
import org.dpnas.common.train.Optimizer;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.ParamIO;

/**
 * The weight options of {@code dpnas train}: {@code model.backbone_weights} (torchvision backbone
 * weights for DeepLabv3+, head ignored), {@code model.init_weights} (a whole network, e.g. from
 * {@code weights export}), {@code model.strict_weights}, and {@code train.backbone_lr_mult} (the
 * backbone's learning rate relative to the rest; 0 freezes it, 1 keeps one parameter group).
 */
public final class TrainWeights {

    private TrainWeights() {}

    /**
     * Loads the initial weights into an initialised model and freezes its backbone if asked.
     *
     * @param model the model
     * @param config the resolved configuration
     * @param console where a non-strict load reports what did not match
     * @throws IllegalArgumentException for a bad option or a refused file (the message names it)
     */
    public static void apply(Block model, Config config, PrintStream console) {
        check(model, config);
        boolean strict = strict(config.getString("model.strict_weights"));
        Path backboneWeights = path(config, "model.backbone_weights");
        Path init = path(config, "model.init_weights");
        float mult = config.getFloat("train.backbone_lr_mult");
        DeepLabV3Plus deeplab = model instanceof DeepLabV3Plus d ? d : null;
        if (backboneWeights != null) {
            load(
                    deeplab.backbone(),
                    backboneWeights,
                    strict,
                    deeplab.backbone().ignoredPrefixes(),
                    console);
        }
        if (init != null) {
            load(model, init, strict, Set.of(), console);
        }
        if (mult == 0f) {
            deeplab.freezeBackbone();
        }
    }

    /**
     * Checks the weight options before a run writes anything: the multiplier's range, a model with
     * a backbone where one is needed, {@code --strict}, and that the files exist.
     *
     * @param model the (uninitialised) model
     * @param config the resolved configuration
     * @throws IllegalArgumentException naming the option or the file
     */
    public static void check(Block model, Config config) {
        strict(config.getString("model.strict_weights"));
        float mult = config.getFloat("train.backbone_lr_mult");
        if (!(mult >= 0f) || mult > 1f) {
            throw new IllegalArgumentException(
                    "--backbone-lr-mult (train.backbone_lr_mult) must be in [0, 1], got " + mult);
        }
        Path backboneWeights = path(config, "model.backbone_weights");
        if (!(model instanceof DeepLabV3Plus) && (backboneWeights != null || mult != 1f)) {
            throw new IllegalArgumentException(
                    "--backbone-weights and --backbone-lr-mult need a model with a backbone"
                            + " (--model deeplabv3plus), not "
                            + config.getString("model.name"));
        }
        for (String key : List.of("model.backbone_weights", "model.init_weights")) {
            Path p = path(config, key);
            if (p != null && !Files.isRegularFile(p)) {
                throw new IllegalArgumentException(
                        "weights file " + p + " (" + key + ") not found");
            }
        }
    }

    private static void load(
            Block block, Path file, boolean strict, Set<String> ignored, PrintStream console) {
        try {
            WeightFiles.LoadReport r = WeightFiles.load(block, file, strict, ignored);
            console.printf("loaded %d tensors from %s%n", r.loaded().size(), file);
            if (!r.complete()) {
                console.println("WARNING: " + file + " (--strict false):\n" + r.problems());
            }
        } catch (SafeTensorsException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The parameter groups: one group {@code weights} of every trainable parameter, or, for a
     * backbone learning-rate multiplier strictly between 0 and 1, {@code weights} without the
     * backbone and {@code backbone} with it.
     *
     * @param model the initialised model (after {@link #apply})
     * @param config the resolved configuration
     * @param optimizer makes one optimizer per group
     * @return the groups, {@code weights} first
     */
    public static List<ParamGroup> groups(
            Block model, Config config, Supplier<Optimizer> optimizer) {
        float mult = config.getFloat("train.backbone_lr_mult");
        List<Parameter> all = ParamIO.trainable(model);
        if (!(model instanceof DeepLabV3Plus d) || mult == 0f || mult == 1f) {
            return List.of(new ParamGroup("weights", all, optimizer.get()));
        }
        Set<Parameter> backbone = Collections.newSetFromMap(new IdentityHashMap<>());
        backbone.addAll(ParamIO.trainable(d.backbone()));
        List<Parameter> head = new ArrayList<>();
        List<Parameter> body = new ArrayList<>();
        for (Parameter p : all) {
            (backbone.contains(p) ? body : head).add(p);
        }
        return List.of(
                new ParamGroup("weights", head, optimizer.get()),
                new ParamGroup("backbone", body, optimizer.get()));
    }

    private static boolean strict(String s) {
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default ->
                    throw new IllegalArgumentException(
                            "--strict (model.strict_weights) must be true or false, got '"
                                    + s
                                    + "'");
        };
    }

    private static Path path(Config config, String key) {
        return config.isNull(key) ? null : Path.of(config.getString(key));
    }
}
