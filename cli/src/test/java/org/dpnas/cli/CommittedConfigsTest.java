package org.dpnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.dpnas.cli.search.SearchMethodCommand;
import org.dpnas.cli.train.TrainConfigs;
import org.dpnas.cli.train.TrainTasks;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigException;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.Registry;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.TrainTask;
import org.dpnas.common.search.strategies.Strategies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every committed config under {@code configs/} resolves against the defaults of the verb that
 * reads it, so a reader who copies a command from a README never meets an unknown key or a value
 * outside its constraints: a file whose chain names {@code model.name} is a {@code train} config
 * (the model's train task's defaults, or the segmentation job's), one in {@code configs/METHOD/}
 * without a model is a {@code search METHOD} config, a genotype file (the results' genotypes) is
 * read by its method; {@code configs/sweeps} are sweep files, read by their own tests.
 */
class CommittedConfigsTest {

    private static final Path CONFIGS = Path.of("..", "configs");

    static Config resolve(Path file) {
        JsonObject o;
        try {
            o = com.google.gson.JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (o.has("schema") && o.has("method")) {
            // a committed genotype: its method's reader accepts it
            String method = o.get("method").getAsString();
            Registry.method(method)
                    .orElseThrow(() -> new AssertionError(file + ": unknown method " + method))
                    .readGenotype(file);
            return null;
        }
        Optional<TrainTask> task = TrainTasks.ofRun(file);
        if (task.isPresent() || names(file)) {
            JsonObject defaults =
                    task.isPresent() ? task.get().trainDefaults() : TrainConfigs.defaults();
            return ConfigLoader.load(defaults, file, List.of());
        }
        String method = file.getParent().getFileName().toString();
        SearchMethod m =
                Registry.method(method)
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                file
                                                        + ": no model.name and '"
                                                        + method
                                                        + "' is no registered search method"));
        return ConfigLoader.load(
                SearchMethodCommand.withTrials(Strategies.withDefaults(m.searchDefaults())),
                file,
                List.of());
    }

    /** Whether the file's chain names a model (a segmentation train config). */
    private static boolean names(Path file) {
        return TrainTasks.modelNameOf(file) != null;
    }

    @Test
    void everyCommittedConfigResolves() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(CONFIGS)) {
            files =
                    s.filter(p -> p.toString().endsWith(".json"))
                            .filter(p -> !p.getParent().getFileName().toString().equals("sweeps"))
                            .sorted()
                            .toList();
        }
        assertTrue(files.size() >= 25, "configs found: " + files.size());
        List<String> bad = new ArrayList<>();
        for (Path f : files) {
            try {
                resolve(f);
            } catch (RuntimeException e) {
                bad.add(f + ": " + e.getMessage());
            }
        }
        if (!bad.isEmpty()) {
            fail(String.join("\n", bad));
        }
    }

    /** The check itself rejects a committed-looking file with a misspelt key or a bad value. */
    @Test
    void aMisspeltKeyOrABadValueIsCaught(@TempDir Path dir) throws Exception {
        Path adl = Files.createDirectories(dir.resolve("autodeeplab"));
        Path typo = adl.resolve("typo.json");
        Files.writeString(typo, "{\"search\": {\"epoch\": 3}}");
        ConfigException e = assertThrows(ConfigException.class, () -> resolve(typo));
        assertTrue(e.getMessage().contains("epoch"), e.getMessage());
        Path train = adl.resolve("retrain.json");
        Files.writeString(
                train, "{\"model\": {\"name\": \"autodeeplab\"}, \"train\": {\"lr\": -1}}");
        e = assertThrows(ConfigException.class, () -> resolve(train));
        assertTrue(e.getMessage().contains("train.lr"), e.getMessage());
        Path det = Files.createDirectories(dir.resolve("nasfpn")).resolve("det.json");
        Files.writeString(det, "{\"model\": {\"name\": \"nasfpn\"}, \"data\": {\"side\": 3}}");
        assertFalse(TrainTasks.ofRun(det).isEmpty());
        e = assertThrows(ConfigException.class, () -> resolve(det));
        assertTrue(e.getMessage().contains("side"), e.getMessage());
        Config search = resolve(CONFIGS.resolve("nasfpn/bccd-cpu-search.json"));
        assertEquals(10, search.getInt("search.trials")); // its own value
        assertEquals("voc-det", search.getString("data.dataset")); // from its base
    }

    /** The CamVid comparison's train configs all share one retrain budget. */
    @Test
    void theCamVidComparisonSharesOneBudget() {
        Config adl = resolve(CONFIGS.resolve("autodeeplab/camvid-retrain-compare.json"));
        for (String f :
                List.of(
                        "cas/camvid-retrain.json",
                        "baseline/baseline_w32_b4-400it_camvid-128.json")) {
            Config c = resolve(CONFIGS.resolve(f));
            assertEquals(adl.sub("train").asJsonObject(), c.sub("train").asJsonObject(), f);
            assertEquals(
                    adl.sub("data.augment").asJsonObject(),
                    c.sub("data.augment").asJsonObject(),
                    f);
        }
    }

    /**
     * FastDenseNAS' CamVid comparison: the searched and random decoders and DeepLabv3+ MobileNet-v2
     * train under one train section and one augmentation, with the steps, batch and crop of the
     * other methods' CamVid rows (its own optimizer: SGD 0.01, clip 3, as camvid-retrain.json).
     */
    @Test
    void fastDenseNasCamVidComparisonSharesOneBudget() {
        Config fdn = resolve(CONFIGS.resolve("fastdensenas/camvid-retrain-compare.json"));
        Config dl = resolve(CONFIGS.resolve("fastdensenas/camvid-deeplabv3plus-compare.json"));
        assertEquals(fdn.sub("train").asJsonObject(), dl.sub("train").asJsonObject());
        assertEquals(fdn.sub("data").asJsonObject(), dl.sub("data").asJsonObject());
        assertEquals("deeplabv3plus", dl.getString("model.name"));
        assertEquals("mobilenet_v2", dl.getString("model.backbone"));
        Config adl = resolve(CONFIGS.resolve("autodeeplab/camvid-retrain-compare.json"));
        for (String k : List.of("train.max_steps", "train.batch_size")) {
            assertEquals(adl.getLong(k), fdn.getLong(k), k);
        }
        assertEquals(
                adl.sub("data.augment").asJsonObject(), fdn.sub("data.augment").asJsonObject());
    }
}
