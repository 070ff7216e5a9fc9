package org.dpnas.cli.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.dpnas.cli.Args;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.Registry;
import org.dpnas.common.search.TrainTask;

/**
 * Finds the registered {@link TrainTask} (e.g. detection) of a {@code train} command line or a run
 * directory from the {@code model.name} it names — {@code --genotype}'s method, {@code --model},
 * {@code --set model.name=…}, the config file chain, or a resumed run's {@code
 * config.resolved.json} — so {@code dpnas train} and {@code eval model} hand such runs to their
 * task without naming it. No task: the command's own segmentation job.
 */
public final class TrainTasks {

    private TrainTasks() {}

    /** The task of a {@code train} command line, if its model belongs to one. */
    public static Optional<TrainTask> of(CommandLine cl, Path configFile) {
        String name = modelName(cl, configFile);
        return name == null ? Optional.empty() : Registry.trainTask(name);
    }

    /** The task of a run directory's {@code config.resolved.json}, if its model belongs to one. */
    public static Optional<TrainTask> ofRun(Path resolvedConfig) {
        String name = fromChain(resolvedConfig, new HashSet<>());
        return name == null ? Optional.empty() : Registry.trainTask(name);
    }

    static String modelName(CommandLine cl, Path configFile) {
        if (cl.hasOption("genotype")) {
            return TrainConfigs.genotypeMethod(Args.path(cl, "genotype", null));
        }
        if (cl.hasOption("model")) {
            return Args.string(cl, "model", null);
        }
        String set = Args.keyValues(cl, "set").get("model.name");
        if (set != null) {
            try {
                JsonElement e = JsonParser.parseString(set);
                return e.isJsonPrimitive() ? e.getAsString() : set;
            } catch (RuntimeException e) {
                return set;
            }
        }
        if (configFile != null) {
            return fromChain(configFile, new HashSet<>());
        }
        if (Args.flag(cl, "resume") && cl.hasOption("work-dir")) {
            Path resolved = Args.path(cl, "work-dir", null).resolve("config.resolved.json");
            if (Files.isRegularFile(resolved)) {
                return fromChain(resolved, new HashSet<>());
            }
        }
        return null;
    }

    /** {@code model.name} of a config file or of the first base that sets it (null if none). */
    public static String modelNameOf(Path configFile) {
        return fromChain(configFile, new HashSet<>());
    }

    /** {@code model.name} of a config file or of the first base that sets it (null if none). */
    private static String fromChain(Path file, Set<Path> seen) {
        Path abs = file.toAbsolutePath().normalize();
        if (!seen.add(abs) || !Files.isRegularFile(abs)) {
            return null; // the loader reports cycles and missing files with its own message
        }
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(abs, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                return null;
            }
            o = e.getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (o.has("model") && o.get("model").isJsonObject()) {
            JsonObject m = o.getAsJsonObject("model");
            if (m.has("name") && m.get("name").isJsonPrimitive()) {
                return m.get("name").getAsString();
            }
        }
        if (o.has(ConfigLoader.BASE_KEY) && o.get(ConfigLoader.BASE_KEY).isJsonPrimitive()) {
            return fromChain(abs.resolveSibling(o.get(ConfigLoader.BASE_KEY).getAsString()), seen);
        }
        return null;
    }
}
