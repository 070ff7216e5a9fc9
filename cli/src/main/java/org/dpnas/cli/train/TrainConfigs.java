package org.dpnas.cli.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.dpnas.cli.Args;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;

/**
 * The one place the defaults of {@code dpnas train} live ({@code train-defaults.json}), and the
 * translation of the command's convenience options into {@code --set} overrides.
 */
public final class TrainConfigs {

    private static final String RESOURCE = "/org/dpnas/cli/train-defaults.json";

    /** Convenience options and the config key each one sets. */
    static final String[][] OPTION_KEYS = {
        {"model", "model.name", "string"},
        {"genotype", "model.genotype", "string"},
        {"dataset", "data.dataset", "string"},
        {"root", "data.root", "string"},
        {"on-bad-sample", "data.on_bad_sample", "string"},
        {"workers", "data.workers", "int"},
        {"seed", "seed", "int"},
        {"max-steps", "train.max_steps", "int"},
        {"batch-size", "train.batch_size", "int"},
        {"lr", "train.lr", "float"},
        {"checkpoint-every", "train.checkpoint_every", "int"},
        {"eval-every", "train.eval_every", "int"},
        {"device", "device", "string"},
        {"threads", "threads", "int"},
    };

    private TrainConfigs() {}

    /** A fresh copy of the defaults. */
    public static JsonObject defaults() {
        return ConfigLoader.defaultsFromResource(TrainConfigs.class, RESOURCE);
    }

    /** The default value of a dotted key, as shown in help. */
    public static String defaultOf(String key) {
        Config c = ConfigLoader.load(defaults(), null, List.of());
        return c.isNull(key) ? null : c.getJson(key).toString().replace("\"", "");
    }

    /**
     * Resolves the configuration: defaults, then the file (and its bases), then {@code --set}
     * pairs, then the convenience options; {@code --genotype} without {@code --model} also sets
     * {@code model.name} to {@code autodeeplab}.
     */
    public static Config resolve(Path file, CommandLine cl, List<String> sets) {
        List<String> overrides = new ArrayList<>(sets);
        if (cl.hasOption("genotype") && !cl.hasOption("model")) {
            overrides.add("model.name=\"autodeeplab\"");
        }
        for (String[] ok : OPTION_KEYS) {
            if (cl.hasOption(ok[0])) {
                // typed options are parsed here so that a bad value names the option typed
                String v =
                        switch (ok[2]) {
                            case "int" -> String.valueOf(Args.longValue(cl, ok[0], 0));
                            case "float" -> String.valueOf(Args.doubleValue(cl, ok[0], 0));
                            default -> new JsonPrimitive(Args.string(cl, ok[0], "")).toString();
                        };
                overrides.add(ok[1] + "=" + v);
            }
        }
        return ConfigLoader.load(defaults(), file, overrides);
    }
}
