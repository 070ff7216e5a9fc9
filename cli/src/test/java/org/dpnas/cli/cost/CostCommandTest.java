package org.dpnas.cli.cost;

import static org.dpnas.cli.Cli.dpnas;
import static org.dpnas.cli.Cli.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.autodeeplab.retrain.AutoDeepLabNet;
import org.dpnas.cli.Cli.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CostCommandTest {

    @Test
    void countsTheBaselineWithoutLatencyAndWritesTheKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cost.json");
        Outcome o =
                dpnas(
                        "cost",
                        "--model",
                        "baseline",
                        "--input",
                        "1x3x64x64",
                        "--no-latency",
                        "--json",
                        file.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("multiply-adds"), o.out());
        assertFalse(o.out().contains("latency"), o.out());
        JsonObject j = json(file);
        for (String key :
                new String[] {
                    "params", "non_trainable_params", "macs", "macs_by_op", "latency_ms",
                    "latency_p10_ms", "latency_p90_ms", "threads", "device", "input"
                }) {
            assertTrue(j.has(key), key + " missing in " + j);
        }
        // width 32, 19 classes (weights + BN gamma/beta):
        //   stem1 3->16: 432 + 32 = 464; stem2 16->32: 4,608 + 64 = 4,672
        //   res1: 2·9,216 + 128 = 18,560; res2 32->64: 18,432 + 36,864 + 2,048 + 384 = 57,728
        //   res3: 2·36,864 + 256 = 73,984
        //   aspp on 64 ch: 2,048 + 64 + 3·(18,432 + 64) + 2,048 + 32 + 5,120 + 64 = 64,864
        //   classifier 32->19: 608 + 19 = 627 -> total 220,899
        assertEquals(220_899, j.get("params").getAsLong());
        // running mean + var of BN channels 16 + 32 + 2·32 + 3·64 + 2·64 + 5·32 = 592 -> 1,184
        assertEquals(1_184, j.get("non_trainable_params").getAsLong());
        JsonObject byOp = j.getAsJsonObject("macs_by_op");
        long sum = 0;
        for (String k : byOp.keySet()) {
            sum += byOp.get(k).getAsLong();
        }
        assertEquals(j.get("macs").getAsLong(), sum);
        // resize 8x8 -> 64x64 of 19 maps: 4·19·64·64 = 311,296
        assertEquals(311_296, byOp.get("interpolate").getAsLong());
        assertTrue(j.get("latency_ms").isJsonNull());
        assertEquals("1x3x64x64", j.get("input").getAsString());
    }

    @Test
    void measuresLatencyOfASmallBaseline(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cost.json");
        Outcome o =
                dpnas(
                        "cost",
                        "--width",
                        "8",
                        "--num-classes",
                        "3",
                        "--input",
                        "1x3x32x32",
                        "--runs",
                        "3",
                        "--warmup",
                        "1",
                        "--threads",
                        "1",
                        "--device",
                        "cpu",
                        "--json",
                        file.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("latency"), o.out());
        JsonObject j = json(file);
        // the hand-derived total of CostCounterTest.baselineTotalsMatchAHandDerivedSum
        assertEquals(336_200, j.get("macs").getAsLong());
        assertEquals(14_103, j.get("params").getAsLong());
        double median = j.get("latency_ms").getAsDouble();
        assertTrue(median > 0, "median " + median);
        // the percentiles are written (their order is LatencyMeter's, tested there)
        assertTrue(j.get("latency_p10_ms").getAsDouble() > 0, j.toString());
        assertTrue(Double.isFinite(j.get("latency_p90_ms").getAsDouble()), j.toString());
        assertEquals(1, j.get("threads").getAsInt());
        assertEquals("cpu()", j.get("device").getAsString());
        System.out.printf("[bench] baseline w8 @1x3x32x32: median %.3f ms at 1 thread%n", median);
    }

    @Test
    void badInputShapesAreRejectedNamingTheOption() {
        for (String bad :
                new String[] {
                    "1x3x64",
                    "0x3x64x64",
                    "1x3x64x64x2",
                    "1X3x64x64",
                    "1x3x0x4",
                    "1x3x64xa",
                    "1x3x64x9999999999",
                    "",
                    " 1x3x64x64"
                }) {
            Outcome o = dpnas("cost", "--input", bad, "--no-latency");
            assertEquals(2, o.code(), bad + ": " + o.out());
            assertTrue(o.err().contains("option '--input' expects NxCxHxW"), bad + ": " + o.err());
        }
    }

    @Test
    void parseShapeAcceptsFourPositiveIntegers() {
        assertEquals(new Shape(2, 3, 512, 1024), CostCommand.parseShape("--input", "2x3x512x1024"));
    }

    @Test
    void unknownModelAndBadNumbersAreUsageErrors() {
        Outcome o = dpnas("cost", "--model", "resnet", "--no-latency");
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().contains("unknown model 'resnet'"), o.err());
        o = dpnas("cost", "--num-classes", "1", "--no-latency");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--num-classes"), o.err());
        o = dpnas("cost", "--runs", "0", "--input", "1x3x16x16");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--runs"), o.err());
    }

    private static final String GOLDEN =
            Path.of(
                            System.getProperty("dpnas.home"),
                            "autodeeplab/src/test/resources/golden/genotype.json")
                    .toString();

    /**
     * The golden genotype (F = 8, 5 blocks) at its own sizes: every key, the genotype's F and B, no
     * warnings, and the analytic weight count of the network {@code train --genotype} builds.
     */
    @Test
    void countsAGenotypeWithoutLatency(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cost.json");
        Outcome o =
                dpnas(
                        "cost",
                        "--genotype",
                        GOLDEN,
                        "--input",
                        "1x3x64x64",
                        "--no-latency",
                        "--json",
                        file.toString());
        assertEquals(0, o.code(), o.err());
        // no F given: Auto-DeepLab-S (F 20), never the search's F 8 silently (issue 14, item 4)
        assertTrue(o.out().contains("autodeeplab (genotype " + GOLDEN + ", F 20, B 5"), o.out());
        assertFalse(o.out().contains("warning"), o.out());
        JsonObject j = json(file);
        for (String key :
                new String[] {
                    "model",
                    "genotype",
                    "filter_multiplier",
                    "block_multiplier",
                    "params",
                    "non_trainable_params",
                    "macs",
                    "macs_conv_linear",
                    "macs_by_op",
                    "params_by_op",
                    "latency_ms",
                    "threads",
                    "device",
                    "input",
                    "output",
                    "warnings"
                }) {
            assertTrue(j.has(key), key + " missing in " + j);
        }
        assertEquals("autodeeplab", j.get("model").getAsString());
        assertEquals(GOLDEN, j.get("genotype").getAsString());
        assertEquals(20, j.get("filter_multiplier").getAsInt());
        assertEquals(5, j.get("block_multiplier").getAsInt());
        assertTrue(j.get("width").isJsonNull());
        assertEquals(0, j.getAsJsonArray("warnings").size());
        assertEquals("1x19x64x64", j.get("output").getAsString());
        AutoDeepLabGenotype g = AutoDeepLabGenotype.read(Path.of(GOLDEN));
        assertEquals(
                AutoDeepLabNet.weightCount(g, AutoDeepLabNet.Settings.paper("S", g, 19)),
                j.get("params").getAsLong());
        assertTrue(j.get("latency_ms").isJsonNull());
    }

    /**
     * With {@code --filter-multiplier 20} the golden genotype is Auto-DeepLab-S sized: 6,945,429
     * weights (the count pinned in the autodeeplab README and AutoDeepLabNetTest).
     */
    @Test
    void filterMultiplierResizesTheGenotype(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cost.json");
        Outcome o =
                dpnas(
                        "cost",
                        "--genotype",
                        GOLDEN,
                        "--filter-multiplier",
                        "20",
                        "--num-classes",
                        "19",
                        "--input",
                        "1x3x64x128",
                        "--no-latency",
                        "--json",
                        file.toString());
        assertEquals(0, o.code(), o.err());
        JsonObject j = json(file);
        assertEquals(20, j.get("filter_multiplier").getAsInt());
        // the paper's 64/64/128 stem: 6,945,429 with the supernet-width stem + 47,222 (stem
        // 112,832 − 69,250, and the first two cells' preprocessing of it 3,640; see
        // AutoDeepLabNetTest.autoDeepLabSCount)
        assertEquals(6_992_651, j.get("params").getAsLong());
    }

    @Test
    void measuresLatencyOfAGenotype(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cost.json");
        Outcome o =
                dpnas(
                        "cost",
                        "--genotype",
                        GOLDEN,
                        "--filter-multiplier",
                        "2",
                        "--block-multiplier",
                        "2",
                        "--num-classes",
                        "3",
                        "--input",
                        "1x3x32x32",
                        "--runs",
                        "2",
                        "--warmup",
                        "1",
                        "--threads",
                        "1",
                        "--device",
                        "cpu",
                        "--json",
                        file.toString());
        assertEquals(0, o.code(), o.err());
        JsonObject j = json(file);
        assertEquals(2, j.get("block_multiplier").getAsInt());
        assertTrue(j.get("latency_ms").getAsDouble() > 0, j.toString());
        assertEquals("1x3x32x32", j.get("output").getAsString());
    }

    @Test
    void badGenotypesAreUsageErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.json");
        Outcome o = dpnas("cost", "--genotype", missing.toString(), "--no-latency");
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().contains(missing.toString()), o.err());
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"schema\": 1, \"method\": \"autodeeplab\"");
        o = dpnas("cost", "--genotype", broken.toString(), "--no-latency");
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().contains(broken.toString()), o.err());
        o = dpnas("cost", "--genotype", GOLDEN, "--model", "baseline", "--no-latency");
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().contains("drop --model baseline"), o.err());
        o = dpnas("cost", "--filter-multiplier", "20", "--no-latency");
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().contains("--filter-multiplier"), o.err());
        o = dpnas("cost", "--genotype", GOLDEN, "--filter-multiplier", "1", "--no-latency");
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().contains("filterMultiplier >= 2"), o.err());
    }

    /**
     * {@code --config} costs the network a train config describes: the BCCD detectors at width 64
     * with 2 head convs. The published NAS-FPN pyramid has 7 merging cells to FPN's 5 and its
     * global-attention merge has no weights, so the two differ by 2 cells of (3·3·64·64 conv + 2·64
     * BatchNorm) = 2 · 36,992 = 73,984 parameters. {@code --run} reads a run's resolved config.
     */
    @Test
    void aTrainConfigOrARunSizesTheDetector(@TempDir Path dir) throws Exception {
        long[] params = new long[2];
        String[] configs = {"fpn", "nasfpn"};
        for (int i = 0; i < 2; i++) {
            Path file = dir.resolve(configs[i] + ".json");
            Outcome o =
                    dpnas(
                            "cost",
                            "--config",
                            "../configs/nasfpn/retinanet_r18_" + configs[i] + "_bccd-cpu.json",
                            "--input",
                            "1x3x128x128",
                            "--num-classes",
                            "3",
                            "--no-latency",
                            "--json",
                            file.toString());
            assertEquals(0, o.code(), o.err());
            JsonObject j = json(file);
            assertEquals(64, j.get("pyramid_width").getAsInt());
            params[i] = j.get("params").getAsLong();
        }
        assertEquals(2L * (9 * 64 * 64 + 2 * 64), params[1] - params[0]);

        Path run = Files.createDirectories(dir.resolve("run"));
        Files.copy(
                Path.of("../configs/nasfpn/retinanet_r18_fpn_bccd-cpu.json"),
                run.resolve("config.resolved.json"));
        Path file = dir.resolve("run.json");
        Outcome o =
                dpnas(
                        "cost",
                        "--run",
                        run.toString(),
                        "--input",
                        "1x3x128x128",
                        "--num-classes",
                        "3",
                        "--no-latency",
                        "--json",
                        file.toString());
        assertEquals(0, o.code(), o.err());
        assertEquals(params[0], json(file).get("params").getAsLong());

        Outcome none = dpnas("cost", "--run", dir.toString(), "--no-latency");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("config.resolved.json"), none.err());
        Outcome both = dpnas("cost", "--run", run.toString(), "--config", "x.json", "--no-latency");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--config or --run"), both.err());
    }

    /**
     * A config or run on a segmentation dataset is costed with that dataset's classes (synthetic:
     * 5) unless --num-classes says otherwise; one whose files cannot be opened asks for the option.
     */
    @Test
    void aConfigIsCostedWithItsDatasetsClasses(@TempDir Path dir) throws Exception {
        String model = "{\"model\": {\"name\": \"baseline\", \"width\": 8}, ";
        Path config = dir.resolve("synthetic.json");
        Files.writeString(config, model + "\"data\": {\"dataset\": \"synthetic\"}}");
        assertEquals(5, costedClasses(config, "1x3x32x32"));
        assertEquals(7, costedClasses(config, "1x3x32x32", "--num-classes", "7"));
        Path camvid = dir.resolve("camvid.json");
        Files.writeString(
                camvid, model + "\"data\": {\"dataset\": \"camvid\", \"root\": \"/no/such/dir\"}}");
        assertAsksForNumClasses(camvid);
    }

    /**
     * A detector's config is costed with the classes its training task reads: the synthetic
     * detection split has 4 (its segmentation view has 5, with background); a detection dataset
     * whose files cannot be opened asks for --num-classes.
     */
    @Test
    void aDetectorsConfigIsCostedWithItsTrainingSplitsClasses(@TempDir Path dir) throws Exception {
        String model =
                "{\"model\": {\"name\": \"nasfpn\", \"genotype\": \"fpn\", \"backbone\":"
                        + " \"resnet18\", \"pyramid_width\": 16, \"repeats\": 1, \"attention\":"
                        + " \"tf\", \"head_convs\": 1}, \"train\": {\"image_size\": 64}, ";
        Path config = dir.resolve("det.json");
        Files.writeString(config, model + "\"data\": {\"dataset\": \"synthetic\"}}");
        assertEquals(4, costedClasses(config, "1x3x64x64"));
        Path bad = dir.resolve("bad.json");
        Files.writeString(
                bad, model + "\"data\": {\"dataset\": \"voc-det\", \"root\": \"/no/such/dir\"}}");
        assertAsksForNumClasses(bad);
    }

    /** The class count {@code cost --config config} reports in its JSON, with extra options. */
    private static int costedClasses(Path config, String input, String... extra) throws Exception {
        Path file = config.resolveSibling(config.getFileName() + ".cost.json");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "cost",
                                "--config",
                                config.toString(),
                                "--input",
                                input,
                                "--no-latency",
                                "--json",
                                file.toString()));
        args.addAll(List.of(extra));
        Outcome o = dpnas(args.toArray(new String[0]));
        assertEquals(0, o.code(), o.err());
        return json(file).get("num_classes").getAsInt();
    }

    /** {@code cost --config config} fails as a usage error naming the option and the data root. */
    private static void assertAsksForNumClasses(Path config) {
        Outcome o = dpnas("cost", "--config", config.toString(), "--no-latency");
        assertEquals(2, o.code(), o.out());
        assertTrue(o.err().contains("--num-classes"), o.err());
        assertTrue(o.err().contains("/no/such/dir"), o.err());
    }

    @Test
    void helpListsCostAfterEval() {
        Outcome o = dpnas("--help");
        assertEquals(0, o.code());
        int eval = o.out().indexOf("\n  eval");
        int cost = o.out().indexOf("\n  cost");
        assertTrue(eval >= 0 && cost > eval, o.out());
    }
}
