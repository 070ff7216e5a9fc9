package org.dpnas.common.search;

import ai.djl.nn.Block;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.dpnas.common.config.Config;

/**
 * The registered search methods and hand-designed models ({@link ServiceLoader} over {@link
 * SearchMethod}, {@link ModelFactory} and {@link TrainTask}), and the one dispatch every verb uses:
 * a {@code model} section names either a model or a method, and a genotype file names its method.
 */
public final class Registry {

    private Registry() {}

    /** Every registered search method, by name. */
    public static List<SearchMethod> methods() {
        TreeMap<String, SearchMethod> out = new TreeMap<>();
        for (SearchMethod m : ServiceLoader.load(SearchMethod.class)) {
            if (out.putIfAbsent(m.name(), m) != null) {
                throw new IllegalStateException("two search methods named '" + m.name() + "'");
            }
        }
        return new ArrayList<>(out.values());
    }

    /** Every registered hand-designed model, by name. */
    public static List<ModelFactory> models() {
        TreeMap<String, ModelFactory> out = new TreeMap<>();
        for (ModelFactory m : ServiceLoader.load(ModelFactory.class)) {
            out.putIfAbsent(m.name(), m);
        }
        return new ArrayList<>(out.values());
    }

    /** The training task that trains networks named {@code modelName}, if one is registered. */
    public static Optional<TrainTask> trainTask(String modelName) {
        for (TrainTask t : ServiceLoader.load(TrainTask.class)) {
            if (t.trains(modelName)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The method named {@code name}, if registered. */
    public static Optional<SearchMethod> method(String name) {
        return methods().stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The model named {@code name}, if registered. */
    public static Optional<ModelFactory> model(String name) {
        return models().stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** Every name {@code model.name} accepts: models, then methods (which need a genotype). */
    public static List<String> modelNames() {
        List<String> out = new ArrayList<>();
        models().forEach(m -> out.add(m.name()));
        methods().forEach(m -> out.add(m.name()));
        return out;
    }

    /**
     * The method a genotype file belongs to (its {@code method} field).
     *
     * @throws IllegalArgumentException naming the file when it is unreadable or its method unknown
     */
    public static SearchMethod methodOf(Path genotypeFile) {
        String name = GenotypeFiles.methodOf(genotypeFile);
        return method(name)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "genotype file "
                                                + genotypeFile
                                                + ": method '"
                                                + name
                                                + "' is not registered (registered: "
                                                + methods().stream()
                                                        .map(SearchMethod::name)
                                                        .toList()
                                                + ")"));
    }

    /**
     * Builds the network of a {@code model} section: a registered model, or a method's retrain
     * network from {@code model.genotype}.
     *
     * @throws IllegalArgumentException for an unknown name or an invalid genotype
     */
    public static Block build(Config model, int numClasses) {
        String name = model.getString("name");
        Optional<ModelFactory> f = model(name);
        if (f.isPresent()) {
            return f.get().build(model, numClasses);
        }
        Optional<SearchMethod> m = method(name);
        if (m.isPresent()) {
            return m.get().retrainNetwork(model, numClasses);
        }
        throw new IllegalArgumentException(
                "unknown model '" + name + "': expected one of " + String.join(", ", modelNames()));
    }
}
