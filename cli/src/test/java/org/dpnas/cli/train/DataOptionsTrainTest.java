package org.dpnas.cli.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dpnas.cli.Cli;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.cli.data.TinyData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataOptionsTrainTest {

    static Outcome dpnas(List<String> args) {
        return Cli.dpnas(args.toArray(new String[0]));
    }

    private static List<String> tiny(Path work, String... extra) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--work-dir",
                                work.toString(),
                                "--set",
                                "model.width=8",
                                "--set",
                                "train.log_every=1",
                                "--set",
                                "train.schedule=constant",
                                "--threads",
                                "1",
                                "--device",
                                "cpu"));
        a.addAll(Arrays.asList(extra));
        return a;
    }

    /** A CamVid folder with 4 good training samples and a truncated 5th, and 2 val samples. */
    private static Path brokenCamVid(Path root) throws Exception {
        List<String> lines = new ArrayList<>(TinyData.camvid(root, "train", 4));
        TinyData.rgb(root.resolve("train/cut.png"), 32, 24, 3);
        byte[] png = Files.readAllBytes(root.resolve("train/cut.png"));
        Files.write(root.resolve("train/cut.png"), Arrays.copyOf(png, png.length / 2));
        TinyData.gray(root.resolve("trainannot/cut.png"), 32, 24, 1);
        lines.add("train/cut.png trainannot/cut.png");
        TinyData.writeList(root, "train", lines);
        TinyData.camvid(root, "val", 2);
        return root;
    }

    private static String[] camvid(Path root, String policy) {
        return new String[] {
            "--dataset",
            "camvid",
            "--root",
            root.toString(),
            "--batch-size",
            "5",
            "--max-steps",
            "2",
            "--checkpoint-every",
            "1",
            "--on-bad-sample",
            policy,
            "--set",
            "eval.batch_size=2"
        };
    }

    @Test
    void failStopsNamingTheFileAndLeavesTheRunFilesIntact(@TempDir Path dir) throws Exception {
        Path root = brokenCamVid(dir.resolve("camvid"));
        Path run = dir.resolve("run");
        Outcome o = dpnas(tiny(run, camvid(root, "fail")));
        assertEquals(1, o.code(), o.err());
        assertTrue(o.err().contains("cut.png"), o.err());
        assertTrue(o.err().contains("--on-bad-sample skip"), o.err());
        // the files written before the failure are whole, and no checkpoint was started
        JsonParser.parseString(Files.readString(run.resolve("config.resolved.json")));
        JsonParser.parseString(Files.readString(run.resolve("provenance.json")));
        assertFalse(Files.exists(run.resolve("checkpoints/step-00000001")));
        assertFalse(Files.exists(run.resolve("final_metrics.json")));
    }

    @Test
    void skipReplacesTheBadSampleDeterministicallyAndCountsIt(@TempDir Path dir) throws Exception {
        Path root = brokenCamVid(dir.resolve("camvid"));
        Outcome a = dpnas(tiny(dir.resolve("a"), camvid(root, "skip")));
        assertEquals(0, a.code(), a.err());
        assertTrue(a.err().contains("skipping bad sample 4"), a.err());
        assertTrue(a.err().contains("cut.png"), a.err());
        assertTrue(a.err().contains("skipped 2 reads of bad samples (1 bad training"), a.err());
        Outcome b = dpnas(tiny(dir.resolve("b"), camvid(root, "skip")));
        assertEquals(0, b.code(), b.err());
        assertArrayEquals(
                Files.readAllBytes(dir.resolve("a/checkpoints/step-00000002/model.params")),
                Files.readAllBytes(dir.resolve("b/checkpoints/step-00000002/model.params")));
    }

    @Test
    void dataSkipsOfAResumedRunCoverEveryProcess(@TempDir Path dir) throws Exception {
        Path root = brokenCamVid(dir.resolve("camvid"));
        Path run = dir.resolve("run");
        assertEquals(0, dpnas(tiny(run, camvid(root, "skip"))).code());
        com.google.gson.JsonObject first =
                JsonParser.parseString(Files.readString(run.resolve("data_skips.json")))
                        .getAsJsonObject();
        assertEquals(2, first.getAsJsonObject("train").get("skipped_reads").getAsLong());
        Outcome resumed =
                dpnas(
                        List.of(
                                "train",
                                "--work-dir",
                                run.toString(),
                                "--resume",
                                "--max-steps",
                                "4",
                                "--allow-changes"));
        assertEquals(0, resumed.code(), resumed.err());
        com.google.gson.JsonObject both =
                JsonParser.parseString(Files.readString(run.resolve("data_skips.json")))
                        .getAsJsonObject();
        // one bad read per step (batch 5 of 5 samples): two in each process, one bad sample
        com.google.gson.JsonObject train = both.getAsJsonObject("train");
        assertEquals(4, train.get("skipped_reads").getAsLong(), both.toString());
        assertEquals(1, train.get("bad_samples").getAsLong(), both.toString());
        assertTrue(train.getAsJsonObject("bad").get("4").getAsString().contains("cut.png"));
        assertEquals(4, both.get("skipped_reads").getAsLong());
        assertEquals(2, both.get("processes").getAsLong());
    }

    @Test
    void augmentedTrainingResumesExactly(@TempDir Path dir) throws Exception {
        String[] aug = {
            "--set", "data.synthetic.height=32",
            "--set", "data.synthetic.width=32",
            "--set", "data.synthetic.train_size=12",
            "--set", "data.synthetic.val_size=4",
            "--set", "data.augment.enabled=true",
            "--set", "data.augment.crop=[24,24]",
            "--set", "data.augment.jitter=0.2",
            "--set", "data.workers=2",
            "--batch-size", "4",
            "--checkpoint-every", "4",
            "--eval-every", "0",
        };
        List<String> straight = tiny(dir.resolve("straight"), aug);
        straight.addAll(List.of("--max-steps", "8"));
        assertEquals(0, dpnas(straight).code());
        List<String> first = tiny(dir.resolve("resumed"), aug);
        first.addAll(List.of("--max-steps", "4"));
        assertEquals(0, dpnas(first).code());
        Outcome resumed =
                dpnas(
                        List.of(
                                "train",
                                "--work-dir",
                                dir.resolve("resumed").toString(),
                                "--resume",
                                "--max-steps",
                                "8",
                                "--allow-changes")); // a longer run is a change on purpose
        assertEquals(0, resumed.code(), resumed.err());
        assertArrayEquals(
                Files.readAllBytes(dir.resolve("straight/checkpoints/step-00000008/model.params")),
                Files.readAllBytes(dir.resolve("resumed/checkpoints/step-00000008/model.params")));
    }

    @Test
    void randomScaleWithoutCropIsRejectedBeforeAnythingIsWritten(@TempDir Path dir) {
        Path run = dir.resolve("r");
        Outcome o = dpnas(tiny(run, "--set", "data.augment.enabled=true", "--max-steps", "1"));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("data.augment.crop"), o.err());
        assertFalse(Files.exists(run.resolve("config.resolved.json")));
        Outcome bad = dpnas(tiny(run, "--on-bad-sample", "ignore", "--max-steps", "1"));
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("on_bad_sample"), bad.err());
    }
}
