package org.dpnas.nasfpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigException;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.CostReport;
import org.dpnas.common.cost.OpType;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.Registry;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.strategies.MnasEvaluator;
import org.dpnas.common.search.strategies.Strategies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NAS-FPN on the core: registration, dry run, presets, exact resume, retrain network, cost. */
class NasFpnMethodTest {

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    /** A search of seconds: 1 training step of 2 images at 64 px per child. */
    static Config tinyConfig(int trials) {
        return tinyConfig(NasFpnSearch.defaults(), trials);
    }

    /** The same tiny search on other defaults, with further overrides. */
    static Config tinyConfig(JsonObject defaults, int trials, String... more) {
        List<String> sets =
                new java.util.ArrayList<>(
                        List.of(
                                "data.synthetic.train_size=6",
                                "data.synthetic.side=64",
                                "proxy.width=8",
                                "proxy.head_convs=0",
                                "proxy.image_size=64",
                                "proxy.batch=2",
                                "proxy.steps=1",
                                "proxy.held_out_every=3",
                                "space.cells=5",
                                "search.trials=" + trials,
                                "search.rollout_size=2"));
        sets.addAll(List.of(more));
        return ConfigLoader.load(defaults, null, sets);
    }

    @Test
    void registeredAsMethodAndDetectionTask() {
        SearchMethod m = Registry.method("nasfpn").orElseThrow();
        assertInstanceOf(NasFpnMethod.class, m);
        assertEquals("detection", Registry.trainTask("nasfpn").orElseThrow().name());
        assertTrue(Registry.trainTask("baseline").isEmpty());
        assertInstanceOf(ProxyEvaluator.class, m.evaluator(tinyConfig(1)));
    }

    /**
     * {@code search.reward=mnas} reaches the method's own evaluator: a search's children are scored
     * by held-out AP × (latency / target)^w, and their history lines carry the latency and metric.
     */
    @Test
    void mnasRewardScoresTheSearchsOwnChildren(@TempDir Path dir) throws Exception {
        Config c =
                tinyConfig(
                        Strategies.withDefaults(NasFpnSearch.defaults()),
                        1,
                        "search.reward=\"mnas\"",
                        "search.mnas.target_ms=5",
                        "search.mnas.warmup=0",
                        "search.mnas.runs=1");
        assertInstanceOf(MnasEvaluator.class, new NasFpnMethod().evaluator(c));
        RunDirectory run = new RunDirectory(dir.resolve("run"));
        new NasFpnMethod().search(c, run, false, List.of("test"), QUIET);
        JsonObject line =
                JsonParser.parseString(
                                Files.readAllLines(run.root().resolve("search/history.jsonl"))
                                        .get(0))
                        .getAsJsonObject();
        String text = line.toString();
        assertTrue(text.contains("latency_ms") && text.contains("target_ms"), text);
    }

    /**
     * The paper's space: cell i reads 2 of 5 + i nodes; the 2 inner cells pick 1 of 5 levels, the 5
     * output cells 5, 4, 3, 2, 1 of the levels left; 2 ops each. Count = (5·6·…·11)² · 2⁷ · 5² · 5!
     * = 1663200² · 128 · 3000.
     */
    @Test
    void dryRunCountsThePaperSpace(@TempDir Path dir) throws Exception {
        Config c = ConfigLoader.load(NasFpnSearch.defaults(), null, List.of());
        Path json = dir.resolve("dry.json");
        new NasFpnMethod().dryRun(c, QUIET, json);
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(28, o.get("decisions").getAsInt());
        assertEquals(28, o.getAsJsonArray("choices").size());
        BigInteger hand =
                BigInteger.valueOf(1663200L).pow(2).multiply(BigInteger.valueOf(128L * 3000L));
        assertEquals(hand, o.get("count").getAsBigInteger());
        assertEquals(new BigInteger("1062233948160000000"), hand);
    }

    @Test
    void presetsResolveAndBadSettingsAreRefused() {
        Path dir = Path.of(System.getProperty("dpnas.home", "..")).resolve("configs/nasfpn");
        for (String p : List.of("tiny", "bccd", "paper")) {
            Config c =
                    ConfigLoader.load(NasFpnSearch.defaults(), dir.resolve(p + ".json"), List.of());
            assertEquals(7, c.getInt("space.cells"), p);
        }
        assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(NasFpnSearch.defaults(), null, List.of("space.cells=4")));
        Config noRoot =
                ConfigLoader.load(
                        NasFpnSearch.defaults(), null, List.of("data.dataset=\"voc-det\""));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> NasFpnSearch.evaluator(noRoot));
        assertTrue(e.getMessage().contains("--root"), e.getMessage());
    }

    /**
     * A search stopped after 2 of 3 trials and resumed writes the history of an uninterrupted one.
     */
    @Test
    void resumedSearchEqualsUninterrupted(@TempDir Path dir) throws Exception {
        NasFpnMethod m = new NasFpnMethod();
        RunDirectory straight = new RunDirectory(dir.resolve("straight"));
        m.search(tinyConfig(3), straight, false, List.of("test"), QUIET);
        RunDirectory cut = new RunDirectory(dir.resolve("cut"));
        m.search(tinyConfig(2), cut, false, List.of("test"), QUIET);
        SearchMethod.Outcome o = m.search(tinyConfig(3), cut, true, List.of("test"), QUIET);
        List<String> a = Files.readAllLines(straight.root().resolve("search/history.jsonl"));
        List<String> b = Files.readAllLines(cut.root().resolve("search/history.jsonl"));
        assertEquals(3, a.size());
        assertEquals(
                a.stream().map(l -> l.replace(straight.root().toString(), "")).toList(),
                b.stream().map(l -> l.replace(cut.root().toString(), "")).toList());
        assertEquals(
                Files.readString(straight.best().resolve("genotype.json")),
                Files.readString(cut.best().resolve("genotype.json")));
        assertTrue(Files.readString(cut.best().resolve("genotype.svg")).startsWith("<svg"));
        assertEquals(3, o.steps());
    }

    @Test
    void genotypeOfAModelSection(@TempDir Path dir) throws Exception {
        Config fpn = ConfigLoader.load(DetectionJob.defaults(), null, List.of());
        assertEquals(PyramidGenotype.fpn(), NasFpnMethod.genotype(fpn.sub("model")));
        Path file = dir.resolve("g.json");
        PyramidGenotype.nasFpn().write(file);
        Config fromFile = fpn.withOverrides(List.of("model.genotype=\"" + file.toString() + "\""));
        assertEquals(PyramidGenotype.nasFpn(), NasFpnMethod.genotype(fromFile.sub("model")));
        Config missing =
                ConfigLoader.load(
                        JsonParser.parseString("{\"genotype\": null}").getAsJsonObject(),
                        null,
                        List.of());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> NasFpnMethod.genotype(missing));
        assertTrue(e.getMessage().contains("model.genotype"), e.getMessage());
        Config bad =
                fpn.withOverrides(List.of("model.genotype=\"" + dir.resolve("no.json") + "\""));
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> NasFpnMethod.genotype(bad.sub("model")));
        assertTrue(e.getMessage().contains("no.json"), e.getMessage());
    }

    /**
     * The cost counter sees the whole detector: its parameter count equals the initialised
     * network's, and the pyramid's convolutions cost, per cell, 9w²·H·W at the cell's level (input
     * 128: P3..P7 are 16, 8, 4, 2, 1; FPN's cells sit on P6, P5, P4, P3, P7 → 341 positions).
     */
    @Test
    void costCountsPyramidAndHeads() {
        int w = 8;
        Config model =
                ConfigLoader.load(
                                DetectionJob.defaults(),
                                null,
                                List.of(
                                        "model.backbone=\"resnet10\"",
                                        "model.pyramid_width=" + w,
                                        "model.head_convs=1"))
                        .sub("model");
        RetinaNet net = NasFpnMethod.network(model, 3);
        Shape in = new Shape(1, 3, 128, 128);
        CostReport before = CostCounter.of(net, in);
        Shape[] levels = new Shape[5];
        for (int i = 0; i < 5; i++) {
            int s = 128 >> (i + 3);
            levels[i] = new Shape(1, w, s, s);
        }
        CostReport pyramid = CostCounter.of(net.pyramid(), levels);
        assertEquals(341L * 9 * w * w, pyramid.macs(OpType.CONV));
        assertEquals(5L * (9 * w * w + 2 * w), pyramid.params());
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, DataType.FLOAT32, in);
            long params = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    params += p.getValue().getArray().size();
                }
            }
            assertEquals(params, before.params());
            assertTrue(before.warnings().isEmpty(), before.warnings().toString());
            JsonObject sizes = new NasFpnMethod().sizesJson(net);
            assertEquals(5, sizes.get("merging_cells").getAsInt());
            assertEquals(pyramid.params(), sizes.get("params_pyramid").getAsLong());
            // heads: shared subnets, 1 conv w→w (+bias) each and the output convs (+bias)
            long heads = 2L * (9 * w * w + w) + (9L * w * 27 + 27) + (9L * w * 36 + 36);
            assertEquals(heads, sizes.get("params_heads").getAsLong());
        }
    }
}
