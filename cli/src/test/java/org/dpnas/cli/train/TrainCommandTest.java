package org.dpnas.cli.train;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dpnas.cli.Child;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.common.train.Checkpointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    /** A tiny but real configuration: 32×32 synthetic images, width-8 baseline. */
    private static final String[] TINY = {
        "--set", "model.width=8",
        "--set", "data.synthetic.height=32",
        "--set", "data.synthetic.width=32",
        "--set", "data.synthetic.train_size=24",
        "--set", "data.synthetic.val_size=8",
        "--set", "train.log_every=2",
        "--batch-size", "4",
        "--threads", "1",
        "--device", "cpu",
    };

    static String[] train(Path workDir, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--work-dir", workDir.toString()));
        a.addAll(List.of(TINY));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    static JsonObject json(Path p) throws Exception {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    @Test
    void trainWritesTheRunDirectoryAndEvalReproducesItsMetrics(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Outcome o = dpnas(train(run, "--max-steps", "6", "--checkpoint-every", "3"));
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("val mIoU"), o.out());
        for (String f :
                new String[] {
                    "config.resolved.json",
                    "provenance.json",
                    "metrics.jsonl",
                    "summary.csv",
                    "curves.png",
                    "final_metrics.json",
                    "checkpoints/step-00000006/model.params"
                }) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        JsonObject resolved = json(run.resolve("config.resolved.json"));
        assertEquals(8, resolved.getAsJsonObject("model").get("width").getAsInt());
        assertEquals(6, resolved.getAsJsonObject("train").get("max_steps").getAsInt());
        JsonObject prov = json(run.resolve("provenance.json"));
        assertEquals(0, prov.get("seed").getAsLong());
        assertEquals("PyTorch", prov.get("engine").getAsString());
        assertEquals("cpu()", prov.get("device").getAsString());

        Path out = dir.resolve("eval.json");
        Outcome e = dpnas("eval", "model", "--run", run.toString(), "--json", out.toString());
        assertEquals(0, e.code(), e.err());
        JsonObject m = json(out);
        for (String k :
                new String[] {
                    "mIoU", "per_class_iou", "pixel_accuracy", "mean_class_accuracy", "fw_iou"
                }) {
            assertTrue(m.has(k), k);
        }
        assertEquals(5, m.getAsJsonArray("per_class_iou").size());
        assertEquals(
                json(run.resolve("final_metrics.json")).get("mIoU").getAsDouble(),
                m.get("mIoU").getAsDouble(),
                1e-12);
    }

    @Test
    void aRunKilledWithSigkillAndResumedEndsLikeAnUninterruptedOne(@TempDir Path dir)
            throws Exception {
        String[] common = {"--max-steps", "60", "--checkpoint-every", "2", "--eval-every", "8"};
        Path straight = dir.resolve("straight");
        assertEquals(0, dpnas(train(straight, common)).code());

        Path killed = dir.resolve("killed");
        Process p = Child.start(dir.resolve("child.log"), train(killed, common));
        // an arbitrary moment: after a random checkpoint of the first half, plus a random delay,
        // so the kill lands mid-step, mid-log or mid-checkpoint, well before the run ends
        Random random = new Random();
        int k = 2 * (1 + random.nextInt(15));
        Checkpointer ckpts = new Checkpointer(killed.resolve("checkpoints"), 1);
        Child.await(p, () -> newest(ckpts) >= k, 120);
        assertTrue(newest(ckpts) >= k, "the child never reached checkpoint " + k);
        Thread.sleep(random.nextInt(50));
        Child.kill(p); // SIGKILL on Linux
        assertFalse(
                Files.exists(killed.resolve("checkpoints/step-00000060")),
                "the child finished before it was killed");

        Outcome resumed = dpnas("train", "--work-dir", killed.toString(), "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertArrayEquals(
                Files.readAllBytes(straight.resolve("checkpoints/step-00000060/model.params")),
                Files.readAllBytes(killed.resolve("checkpoints/step-00000060/model.params")));
        assertArrayEquals(
                Files.readAllBytes(
                        straight.resolve("checkpoints/step-00000060/optimizer-weights.ndlist")),
                Files.readAllBytes(
                        killed.resolve("checkpoints/step-00000060/optimizer-weights.ndlist")));
        assertEquals(
                Files.readString(straight.resolve("metrics.jsonl")),
                Files.readString(killed.resolve("metrics.jsonl")));
        assertEquals(
                json(straight.resolve("final_metrics.json")).get("mIoU").getAsDouble(),
                json(killed.resolve("final_metrics.json")).get("mIoU").getAsDouble(),
                0.0);
        // no temporary files or half-written checkpoints survive
        try (var s = Files.walk(killed)) {
            assertTrue(
                    s.map(Path::getFileName)
                            .map(Path::toString)
                            .noneMatch(n -> n.startsWith(".tmp-") || n.endsWith(".tmp")));
        }
    }

    /** The newest checkpoint's step (0 when none or while the directory changes). */
    public static long newest(Checkpointer c) {
        try {
            return c.latest().map(Checkpointer::stepOf).orElse(0L);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0L;
        }
    }

    @Test
    void anUnknownConfigKeyNamesTheKeyAndTheFile(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("bad.json");
        Files.writeString(cfg, "{\"train\": {\"max_step\": 5}}");
        Outcome o =
                dpnas(
                        "train",
                        "--config",
                        cfg.toString(),
                        "--work-dir",
                        dir.resolve("r").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("train.max_step"), o.err());
        assertTrue(o.err().contains("did you mean 'train.max_steps'"), o.err());
        assertTrue(o.err().contains(cfg.toString()), o.err());
        assertTrue(!Files.exists(dir.resolve("r")), "nothing is written for a rejected config");
    }

    @Test
    void aWrongTypeFromSetIsRejected(@TempDir Path dir) {
        Outcome o =
                dpnas("train", "--set", "train.lr=fast", "--work-dir", dir.resolve("r").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("train.lr"), o.err());
    }

    @Test
    void resumeWithoutARunIsAClearError(@TempDir Path dir) {
        Outcome o = dpnas("train", "--resume", "--work-dir", dir.resolve("none").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("not a dpnas run directory"), o.err());
    }

    @Test
    void anExistingRunIsNeverOverwritten(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Files.createDirectories(run.resolve("checkpoints/step-00000001"));
        Files.writeString(run.resolve("config.resolved.json"), "{}");
        Outcome o = dpnas(train(run, "--max-steps", "1"));
        assertEquals(2, o.code());
        assertTrue(o.err().contains("already holds a run"), o.err());
        assertEquals("{}", Files.readString(run.resolve("config.resolved.json")));
    }
}
