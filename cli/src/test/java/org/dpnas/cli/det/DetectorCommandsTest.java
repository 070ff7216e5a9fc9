package org.dpnas.cli.det;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dpnas.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A detector through the generic verbs: {@code train} hands it to its registered task, {@code eval
 * model} writes the COCO stats and the detections, which {@code eval det} scores to the same AP;
 * {@code cost} counts a pyramid genotype; {@code search --dry-run} sizes the pyramid space.
 */
class DetectorCommandsTest {

    private static final String[] SMALL = {
        "--set", "model.backbone=\"resnet10\"",
        "--set", "model.pyramid_width=8",
        "--set", "model.head_convs=0",
        "--set", "data.synthetic.train_size=4",
        "--set", "data.synthetic.val_size=2",
        "--set", "data.synthetic.side=64",
        "--set", "train.image_size=64",
        "--set", "train.batch_size=2",
        "--set", "train.checkpoint_every=2"
    };

    private static String[] join(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void trainEvalAndScoreADetector(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Cli.Outcome t =
                Cli.dpnas(
                        join(
                                new String[] {"train", "--model", "nasfpn"},
                                join(SMALL, "--max-steps", "2", "--work-dir", run.toString())));
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("val AP"), t.out());
        Path json = dir.resolve("eval.json");
        Path dets = dir.resolve("dets.json");
        Cli.Outcome e =
                Cli.dpnas(
                        "eval",
                        "model",
                        "--run",
                        run.toString(),
                        "--json",
                        json.toString(),
                        "--detections",
                        dets.toString());
        assertEquals(0, e.code(), e.err());
        JsonObject o = Cli.json(json);
        assertEquals(12, o.getAsJsonArray("stats").size());
        Path scored = dir.resolve("scored.json");
        Cli.Outcome d =
                Cli.dpnas(
                        "eval",
                        "det",
                        "--gt",
                        dir.resolve("dets.gt.json").toString(),
                        "--dt",
                        dets.toString(),
                        "--json",
                        scored.toString());
        assertEquals(0, d.code(), d.err());
        assertEquals(o.getAsJsonArray("stats"), Cli.json(scored).getAsJsonArray("stats"));
        Cli.Outcome bad = Cli.dpnas("eval", "model", "--run", run.toString(), "--exit", "3");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("exits 1..1"), bad.err());
        Cli.Outcome wrong =
                Cli.dpnas(
                        join(
                                new String[] {"train", "--model", "nasfpn", "--output-stride", "8"},
                                "--work-dir",
                                dir.resolve("x").toString()));
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("--output-stride"), wrong.err());
    }

    @Test
    void costAndDryRun(@TempDir Path dir) throws Exception {
        Path g = dir.resolve("g.json");
        Files.writeString(g, org.dpnas.nasfpn.PyramidGenotype.nasFpn().toJson());
        Path json = dir.resolve("cost.json");
        Cli.Outcome c =
                Cli.dpnas(
                        "cost",
                        "--genotype",
                        g.toString(),
                        "--backbone",
                        "resnet10",
                        "--input",
                        "1x3x128x128",
                        "--num-classes",
                        "3",
                        "--runs",
                        "1",
                        "--warmup",
                        "0",
                        "--json",
                        json.toString());
        assertEquals(0, c.code(), c.err());
        JsonObject o = Cli.json(json);
        assertEquals(7, o.get("merging_cells").getAsInt());
        // the published cell at width 256: 7 · (9·256² + 512) weights (module README)
        assertEquals(4_132_352L, o.get("params_pyramid").getAsLong());
        assertTrue(o.getAsJsonArray("warnings").isEmpty(), o.toString());
        Path dry = dir.resolve("dry.json");
        Cli.Outcome s = Cli.dpnas("search", "nasfpn", "--dry-run", "--json", dry.toString());
        assertEquals(0, s.code(), s.err());
        assertEquals(28, Cli.json(dry).get("decisions").getAsInt());
    }
}
