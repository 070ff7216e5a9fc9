package org.dpnas.fastdensenas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.testing.MethodSearches;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny preset shortened to seconds (12 synthetic 32×32 images, 2 pre-training steps, 8 cached
 * samples, one step of stage 2): the history holds one line per child with the stage it reached, at
 * least one child stopped after stage 1 and one went on, the best genotype and its picture are
 * written, the validation split is never opened (it does not exist here), and a search stopped
 * after two children and resumed to four gives the same four children as an uninterrupted one.
 */
class FdnSearchTest {

    static List<String> shortTiny(String... more) {
        List<String> o =
                new ArrayList<>(
                        List.of(
                                "threads=1",
                                "space.agg_size=8",
                                "data.synthetic.train_size=12",
                                "data.synthetic.height=32",
                                "data.synthetic.width=32",
                                "data.val_split=\"no-such-split\"",
                                "search.children=4",
                                "search.held_out_fraction=0.25",
                                "search.pretrain_steps=2",
                                "search.pretrain_batch=4",
                                "search.stage1_samples=8",
                                "search.stage1_batch=4",
                                "search.stage1_crop=[32,32]",
                                "search.stage1_epochs=1",
                                "search.stage2_batch=4",
                                "search.stage2_crop=[32,32]",
                                "search.stage2_epochs=0",
                                "search.stage2_max_steps=1",
                                "search.early_stop_average=0.15",
                                "search.early_stop_delta=0.5",
                                "eval.batch_size=4"));
        o.addAll(List.of(more));
        return o;
    }

    static Config config(List<String> overrides) {
        return MethodSearches.preset(new FastDenseNasMethod(), "tiny", overrides);
    }

    private static String search(Config c, Path dir, boolean resume) throws Exception {
        return MethodSearches.search(new FastDenseNasMethod(), c, dir, resume);
    }

    @Test
    void shortTinySearchStopsSomeChildrenEarlyAndResumesExactly(@TempDir Path tmp)
            throws Exception {
        Path a = tmp.resolve("a");
        String log = search(config(shortTiny()), a, false);
        assertTrue(log.contains("NO ENCODER WEIGHTS"), log);
        List<JsonObject> history = MetricsLog.read(a.resolve("search/history.jsonl"));
        assertEquals(4, history.size());
        int stopped = 0;
        int second = 0;
        for (JsonObject h : history) {
            JsonObject m = h.getAsJsonObject("metrics");
            double stage = m.get("stage").getAsDouble();
            assertTrue(m.has("reward_stage1") && m.has("seconds"), h.toString());
            if (m.get("early_stopped").getAsDouble() > 0) {
                stopped++;
                assertEquals(1.0, stage);
                assertEquals(m.get("reward_stage1").getAsDouble(), h.get("score").getAsDouble());
            } else {
                second++;
                assertEquals(2.0, stage);
                assertEquals(m.get("reward_stage2").getAsDouble(), h.get("score").getAsDouble());
            }
        }
        assertTrue(stopped >= 1, "no child was stopped early: " + history);
        assertTrue(second >= 1, "no child reached stage 2: " + history);
        DecoderGenotype best =
                DecoderGenotype.fromJson(Files.readString(a.resolve("best/genotype.json")));
        assertEquals(3, best.connections().size());
        assertTrue(Files.readString(a.resolve("best/genotype.svg")).startsWith("<svg"));
        assertTrue(Files.isRegularFile(a.resolve("encoder/pretrained.safetensors")));

        Path b = tmp.resolve("b");
        search(config(shortTiny("search.children=2")), b, false);
        String resumed = search(config(shortTiny()), b, true);
        assertTrue(resumed.contains("reusing this search's pre-trained encoder"), resumed);
        List<JsonObject> again = MetricsLog.read(b.resolve("search/history.jsonl"));
        assertEquals(4, again.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(
                    history.get(i).get("genotype"), again.get(i).get("genotype"), "child " + i);
            assertEquals(
                    history.get(i).get("score").getAsDouble(),
                    again.get(i).get("score").getAsDouble(),
                    "child " + i);
        }
        assertEquals(
                JsonParser.parseString(Files.readString(a.resolve("search/early-stop.json")))
                        .getAsJsonObject()
                        .get("rule"),
                JsonParser.parseString(Files.readString(b.resolve("search/early-stop.json")))
                        .getAsJsonObject()
                        .get("rule"));
    }
}
