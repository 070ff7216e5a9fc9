package org.dpnas.cas.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.cas.CasGenotype;
import org.dpnas.cas.CasMethod;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.testing.MethodSearches;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny preset shortened to seconds (8 synthetic images of 16×16, one backbone and one
 * multi-scale epoch): both phases run, the genotype, latency table and costs are written, a second
 * run reuses the table; and a two-λ sweep writes its points, plot and genotypes, the larger λ
 * ending at the lower expected cost.
 */
class CasSearchTest {

    private static List<String> shortTiny(String... more) {
        List<String> o =
                new ArrayList<>(
                        List.of(
                                "threads=1",
                                "space.channels=4",
                                "space.layers=2",
                                "space.blocks=2",
                                "space.ms_channels=8",
                                "data.synthetic.train_size=8",
                                "data.synthetic.val_size=4",
                                "data.synthetic.height=16",
                                "data.synthetic.width=16",
                                "search.backbone_epochs=1",
                                "search.multiscale_epochs=1",
                                "search.arch_start_epoch=0",
                                "search.latency_warmup=0",
                                "search.latency_runs=1",
                                "search.log_every=1"));
        o.addAll(List.of(more));
        return o;
    }

    private static Config config(List<String> overrides) {
        return MethodSearches.preset(new CasMethod(), "tiny", overrides);
    }

    @Test
    void shortTinySearchRunsBothPhasesAndReusesItsLatencyTable(@TempDir Path tmp) throws Exception {
        Config c = config(shortTiny("search.multiscale_epochs=2"));
        RunDirectory run = new RunDirectory(tmp.resolve("a"));
        MethodSearches.search(new CasMethod(), c, run.root(), false);
        Path g = run.root().resolve("best/genotype.json");
        CasGenotype genotype = CasGenotype.fromJson(Files.readString(g));
        assertEquals(4, genotype.channels());
        assertTrue(Files.isRegularFile(run.root().resolve("cost/latency-table.json")));
        assertTrue(Files.isRegularFile(run.root().resolve("cost/op-costs.txt")));
        String metrics = Files.readString(run.metrics());
        assertTrue(metrics.contains("\"phase\":\"backbone\""), metrics);
        assertTrue(metrics.contains("\"phase\":\"multiscale\""), metrics);
        assertTrue(metrics.contains("expected_cost"), metrics);
        assertBestIsTheMultiScalePhasesBestEpoch(run.root());

        Config reuse =
                config(
                        shortTiny(
                                "search.latency_table=\""
                                        + run.root().resolve("cost/latency-table.json")
                                        + "\""));
        String text = MethodSearches.search(new CasMethod(), reuse, tmp.resolve("b"), false);
        assertTrue(text.contains("reusing"), text);
        assertTrue(text.contains("measured 0 cells"), text);
    }

    /**
     * Every epoch's record has its mIoU and expected cost; {@code best/} is the first epoch with
     * the highest mIoU among the multi-scale phase's epochs (after the one backbone epoch), {@code
     * last/} the last epoch.
     */
    private static void assertBestIsTheMultiScalePhasesBestEpoch(Path run) throws Exception {
        List<JsonObject> epochs = MetricsLog.read(run.resolve("search/genotypes.jsonl"));
        assertEquals(3, epochs.size(), "one record per epoch");
        long backboneSteps = epochs.get(0).get("step").getAsLong();
        JsonObject best = null;
        for (JsonObject e : epochs) {
            assertTrue(e.has("mIoU") && e.has("expected_cost"), e.toString());
            if (e.get("step").getAsLong() > backboneSteps
                    && (best == null
                            || e.get("mIoU").getAsDouble() > best.get("mIoU").getAsDouble())) {
                best = e;
            }
        }
        assertEquals(
                best.get("genotype"),
                JsonParser.parseString(Files.readString(run.resolve("best/genotype.json"))));
        assertEquals(
                epochs.get(2).get("genotype"),
                JsonParser.parseString(Files.readString(run.resolve("last/genotype.json"))));
    }

    @Test
    void sweepWritesOnePointPerLambdaAndTheLargerLambdaCostsLess(@TempDir Path tmp)
            throws Exception {
        Config c =
                config(
                        shortTiny(
                                "search.cost=\"macs\"",
                                "search.arch_lr=0.05",
                                "search.sweep_cost_weight=\"0,1\""));
        RunDirectory run = new RunDirectory(tmp);
        MethodSearches.search(new CasMethod(), c, run.root(), false);
        JsonObject o =
                JsonParser.parseString(Files.readString(tmp.resolve("sweep/points.json")))
                        .getAsJsonObject();
        JsonArray points = o.getAsJsonArray("points");
        assertEquals(2, points.size());
        assertTrue(Files.size(tmp.resolve("sweep/tradeoff.png")) > 1000);
        double c0 = points.get(0).getAsJsonObject().get("expected_cost").getAsDouble();
        double c1 = points.get(1).getAsJsonObject().get("expected_cost").getAsDouble();
        assertTrue(c1 < c0, "λ 1 ends at " + c1 + ", λ 0 at " + c0);
        for (var p : points) {
            JsonObject q = p.getAsJsonObject();
            assertTrue(q.get("latency_ms").getAsDouble() > 0);
            assertEquals("cas", q.getAsJsonObject("genotype").get("method").getAsString());
            assertTrue(
                    Files.isRegularFile(Path.of(q.get("run").getAsString(), "best/genotype.json")));
        }
    }
}
