package org.dpnas.cli.search;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.testing.OneShotRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchAutoDeepLabCommandTest {

    /** L 3, F 2, B 2 on 16×16 synthetic images: 8 training images → A 4, B 4 → 2 steps/epoch. */
    private static final String[] TINY = {
        "--set", "space.layers=3",
        "--set", "space.filter_multiplier=2",
        "--set", "space.blocks=2",
        "--set", "data.synthetic.train_size=8",
        "--set", "data.synthetic.val_size=4",
        "--set", "data.synthetic.height=16",
        "--set", "data.synthetic.width=16",
        "--set", "search.log_every=1",
        "--batch-size", "2",
        "--epochs", "3",
        "--arch-start-epoch", "1",
        "--checkpoint-every", "2",
        "--threads", "1",
        "--device", "cpu",
    };

    static String[] search(Path workDir, String... extra) {
        List<String> a =
                new ArrayList<>(List.of("search", "autodeeplab", "--work-dir", workDir.toString()));
        a.addAll(List.of(TINY));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void dryRunMatchesTheReferenceSizeAtThePaperPreset(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("size.json");
        Outcome o =
                dpnas(
                        "search",
                        "autodeeplab",
                        "--preset",
                        "paper",
                        "--dry-run",
                        "--json",
                        json.toString());
        assertEquals(0, o.code(), o.err());
        JsonObject s = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(11_570_580, s.get("weights").getAsLong());
        assertEquals(160, s.get("alphas").getAsLong());
        assertEquals(144, s.get("betas").getAsLong());
        assertEquals(45, s.get("cells").getAsLong());
        Outcome small =
                dpnas(
                        "search",
                        "autodeeplab",
                        "--preset",
                        "small",
                        "--dry-run",
                        "--set",
                        "space.num_classes=19");
        assertTrue(small.out().contains("weights 3,739,540"), small.out());
    }

    @Test
    void aSearchWritesItsGenotypeEveryEpochAndResumesExactly(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Outcome o = dpnas(search(straight));
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("network path"), o.out());
        AutoDeepLabGenotype g = AutoDeepLabGenotype.read(straight.resolve("best/genotype.json"));
        assertEquals(3, g.layers());
        assertEquals(2, g.blocks());
        assertTrue(Files.readString(straight.resolve("best/genotype.svg")).startsWith("<svg"));
        List<JsonObject> history = MetricsLog.read(straight.resolve("search/genotypes.jsonl"));
        assertEquals(3, history.size(), "one genotype per epoch");
        assertEquals(
                List.of(2L, 4L, 6L), history.stream().map(r -> r.get("step").getAsLong()).toList());

        // a second run that "crashed" after its checkpoint at step 2: the later checkpoints are
        // gone and the logs hold records past step 2, as a killed process leaves them
        Path crashed = dir.resolve("crashed");
        assertEquals(0, dpnas(search(crashed)).code());
        OneShotRuns.dropCheckpointsAfter(crashed, 2);
        Outcome resumed =
                dpnas("search", "autodeeplab", "--work-dir", crashed.toString(), "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        OneShotRuns.assertSameRun(straight, crashed, 6);
    }

    @Test
    void badPresetsAndMixedOptionsAreRejected() {
        Outcome o = dpnas("search", "autodeeplab", "--preset", "huge", "--dry-run");
        assertEquals(2, o.code());
        assertTrue(o.err().matches("(?s).*presets: .*paper, small, tiny.*"), o.err());
        Outcome both =
                dpnas(
                        "search",
                        "autodeeplab",
                        "--preset",
                        "tiny",
                        "--config",
                        "x.json",
                        "--dry-run");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("not both"), both.err());
    }
}
