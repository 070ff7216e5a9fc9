package org.dpnas.fbnet.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.testing.MethodSearches;
import org.dpnas.common.testing.OneShotRuns;
import org.dpnas.fbnet.FbnetGenotype;
import org.dpnas.fbnet.FbnetMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny preset shortened to seconds (10 synthetic images of 16×16, two epochs): the weights
 * train on 80 % of the training set (4 steps of 2 per epoch, not the 2–3 of a half), τ follows 5 ·
 * 0.956^epoch, the genotype, picture, latency table and LUT are written, and a search killed after
 * a checkpoint resumes to the same weights, optimizers, history and log as an uninterrupted one.
 */
class FbnetSearchTest {

    static List<String> shortTiny(String... more) {
        List<String> o =
                new ArrayList<>(
                        List.of(
                                "threads=1",
                                "data.synthetic.train_size=10",
                                "data.synthetic.val_size=4",
                                "data.synthetic.height=16",
                                "data.synthetic.width=16",
                                "search.epochs=2",
                                "search.batch_size=2",
                                "search.arch_start_epoch=0",
                                "search.checkpoint_every=4",
                                "search.latency_warmup=0",
                                "search.latency_runs=1",
                                "search.log_every=1"));
        o.addAll(List.of(more));
        return o;
    }

    static Config config(List<String> overrides) {
        return MethodSearches.preset(new FbnetMethod(), "tiny", overrides);
    }

    private static String search(Config c, Path dir, boolean resume) throws Exception {
        return MethodSearches.search(new FbnetMethod(), c, dir, resume);
    }

    @Test
    void shortTinySearchWritesItsFilesAndResumesExactly(@TempDir Path tmp) throws Exception {
        Path straight = tmp.resolve("straight");
        search(config(shortTiny()), straight, false);
        FbnetGenotype g =
                FbnetGenotype.fromJson(Files.readString(straight.resolve("best/genotype.json")));
        assertEquals(7, g.ops().size());
        for (String f :
                new String[] {
                    "best/genotype.svg",
                    "last/genotype.json",
                    "cost/latency-table.json",
                    "cost/lut.txt",
                    "search/genotypes.jsonl"
                }) {
            assertTrue(Files.isRegularFile(straight.resolve(f)), f);
        }
        // split A is 8 of the 10 images: 4 steps of 2 per epoch, 8 steps in all
        List<Double> taus = new ArrayList<>();
        for (JsonObject r : MetricsLog.read(straight.resolve("metrics.jsonl"))) {
            if (r.has("tau")) {
                taus.add(r.get("tau").getAsDouble());
            }
        }
        assertEquals(8, taus.size(), taus.toString());
        for (int t = 0; t < 8; t++) {
            assertEquals(5.0 * Math.pow(0.956, t / 4), taus.get(t), 1e-12, "tau of step " + t);
        }
        List<JsonObject> epochs = MetricsLog.read(straight.resolve("search/genotypes.jsonl"));
        assertEquals(2, epochs.size());
        assertTrue(epochs.get(0).has("latency") && epochs.get(0).has("expected_latency"));

        // the same search, killed after step 4 and resumed, prices with the first one's table:
        // it ends where the first one did
        String table = straight.resolve("cost/latency-table.json").toString();
        Config fixed = config(shortTiny("search.latency_table=\"" + table + "\""));
        Path a = straight;
        Path b = tmp.resolve("b");
        search(fixed, b, false);
        OneShotRuns.dropCheckpointsAfter(b, 4);
        String resumed = search(fixed, b, true);
        assertTrue(resumed.contains("measured 0 blocks"), resumed);
        OneShotRuns.assertSameRun(a, b, 8);
    }
}
