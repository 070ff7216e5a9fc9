package org.dpnas.datasets.djl;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.run.AtomicFiles;

/**
 * A trained dpnas network as a DJL model directory: {@code serving.properties} (engine, block
 * factory, translator factory), {@code dpnas-model.json} (task, class names, input size, the run's
 * resolved configuration), {@code genotype.json} for a searched network and {@code model.params}
 * (the checkpoint's parameters). The network is rebuilt from the configuration (and genotype)
 * through the method registry, so a directory works for every registered method and model.
 */
public final class ModelDir {

    /** The description file. */
    public static final String MODEL_FILE = "dpnas-model.json";

    /** The parameter file (the dpnas checkpoint format). */
    public static final String PARAMS_FILE = "model.params";

    /** The genotype file of a searched network. */
    public static final String GENOTYPE_FILE = "genotype.json";

    /** The task of segmentation networks. */
    public static final String SEGMENTATION = "segmentation";

    /** The task of detectors. */
    public static final String DETECTION = "detection";

    private static final int SCHEMA = 1;

    private final Path root;
    private final String task;
    private final List<String> classNames;
    private final int height;
    private final int width;
    private final Config config;

    private ModelDir(
            Path root, String task, List<String> classNames, int height, int width, Config config) {
        this.root = root;
        this.task = task;
        this.classNames = List.copyOf(classNames);
        this.height = height;
        this.width = width;
        this.config = config;
    }

    /** The directory. */
    public Path root() {
        return root;
    }

    /** {@link #SEGMENTATION} or {@link #DETECTION}. */
    public String task() {
        return task;
    }

    /** Class names by class index. */
    public List<String> classNames() {
        return classNames;
    }

    /** Height of the input the network was initialised with (its training images). */
    public int height() {
        return height;
    }

    /** Width of the input the network was initialised with. */
    public int width() {
        return width;
    }

    /**
     * The run's resolved configuration; {@code model.genotype}, if any, points at this directory's
     * {@code genotype.json}.
     */
    public Config config() {
        return config;
    }

    /**
     * Reads a model directory.
     *
     * @throws IOException naming the file and field when it is missing or invalid
     */
    public static ModelDir read(Path dir) throws IOException {
        Path file = dir.resolve(MODEL_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(dir + ": no " + MODEL_FILE + ", not a dpnas model directory");
        }
        JsonObject o;
        try {
            o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a JSON object: " + e.getMessage(), e);
        }
        try {
            int schema = o.get("schema").getAsInt();
            if (schema != SCHEMA) {
                throw new IOException(
                        file
                                + ": schema "
                                + schema
                                + " is not supported (expected "
                                + SCHEMA
                                + ")");
            }
            String task = o.get("task").getAsString();
            if (!task.equals(SEGMENTATION) && !task.equals(DETECTION)) {
                throw new IOException(file + ": task '" + task + "' is unknown");
            }
            List<String> names = new ArrayList<>();
            for (JsonElement e : o.getAsJsonArray("class_names")) {
                names.add(e.getAsString());
            }
            JsonArray input = o.getAsJsonArray("input");
            JsonObject stored = o.getAsJsonObject("config");
            List<String> sets = new ArrayList<>();
            Path genotype = dir.resolve(GENOTYPE_FILE);
            if (Files.isRegularFile(genotype)) {
                sets.add(
                        "model.genotype="
                                + new JsonPrimitive(genotype.toAbsolutePath().toString()));
            }
            Config config = ConfigLoader.load(stored, null, sets);
            return new ModelDir(
                    dir, task, names, input.get(0).getAsInt(), input.get(1).getAsInt(), config);
        } catch (NullPointerException | IllegalStateException | ClassCastException e) {
            throw new IOException(
                    file
                            + ": needs schema, task, class_names, input [h, w] and config ("
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    /**
     * Writes a model directory atomically: everything goes into a temporary sibling directory,
     * which is renamed to {@code out} at the end, so a failed export leaves nothing behind.
     *
     * @param out the directory to create; it must not exist or be empty
     * @param resolved the run's resolved configuration (as in {@code config.resolved.json})
     * @param genotype the run's genotype file, or {@code null}
     * @param params the checkpoint's {@code model.params}
     * @param task {@link #SEGMENTATION} or {@link #DETECTION}
     * @param classNames class names by index
     * @param height input height the network was trained at
     * @param width input width
     * @param source free-form provenance (run, checkpoint)
     * @throws FileAlreadyExistsException when {@code out} exists and is not empty
     * @throws IOException when a write fails
     */
    public static void write(
            Path out,
            JsonObject resolved,
            Path genotype,
            Path params,
            String task,
            List<String> classNames,
            int height,
            int width,
            JsonObject source)
            throws IOException {
        if (Files.exists(out) && !isEmptyDir(out)) {
            throw new FileAlreadyExistsException(out.toString(), null, "exists and is not empty");
        }
        Path abs = out.toAbsolutePath().normalize();
        Files.createDirectories(abs.getParent());
        Path tmp = AtomicFiles.tempDirectory(abs.getParent(), "." + abs.getFileName() + ".tmp");
        try {
            JsonObject config = resolved.deepCopy();
            JsonObject model = config.getAsJsonObject("model");
            if (model != null) {
                // trained values replace any initial weights; the genotype travels in the directory
                for (String k :
                        List.of(
                                "init_weights",
                                "backbone_weights",
                                "encoder_weights",
                                "genotype_source")) {
                    if (model.has(k)) {
                        model.add(k, JsonNull.INSTANCE);
                    }
                }
                if (genotype != null) {
                    model.addProperty("genotype", GENOTYPE_FILE);
                }
            }
            JsonObject o = new JsonObject();
            o.addProperty("schema", SCHEMA);
            o.addProperty("task", task);
            JsonArray names = new JsonArray();
            classNames.forEach(names::add);
            o.add("class_names", names);
            JsonArray input = new JsonArray();
            input.add(height);
            input.add(width);
            o.add("input", input);
            o.add("source", source);
            o.add("config", config);
            Files.writeString(
                    tmp.resolve(MODEL_FILE),
                    new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o)
                            + "\n");
            if (genotype != null) {
                Files.copy(genotype, tmp.resolve(GENOTYPE_FILE));
            }
            Files.copy(params, tmp.resolve(PARAMS_FILE));
            Files.writeString(
                    tmp.resolve("serving.properties"),
                    "# a dpnas network: DJL rebuilds it with the block factory (the dpnas jars on"
                            + " the classpath)\n"
                            + "engine=PyTorch\n"
                            + "blockFactory="
                            + DpnasBlockFactory.class.getName()
                            + "\n"
                            + "translatorFactory="
                            + DpnasTranslatorFactory.class.getName()
                            + "\n"
                            + "# the block factory loads model.params itself\n"
                            + "option.hasParameter=false\n");
            if (Files.exists(out)) {
                Files.delete(out);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs);
            }
        } finally {
            deleteTree(tmp);
        }
    }

    private static boolean isEmptyDir(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
            return !s.iterator().hasNext();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
