package org.dpnas.cli.train;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.autodeeplab.retrain.AutoDeepLabNet;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.darts.CellEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainGenotypeTest {

    /** A small searched-looking genotype: F 4, 2 blocks, 3 layers going down once. */
    static AutoDeepLabGenotype tiny() {
        return new AutoDeepLabGenotype(
                4,
                2,
                3,
                List.of(
                        List.of(new CellEdge(1, "sep_conv_3x3"), new CellEdge(0, "skip_connect")),
                        List.of(new CellEdge(2, "dil_conv_3x3"), new CellEdge(1, "avg_pool_3x3"))),
                List.of(0, 1, 1));
    }

    @Test
    void trainsAGenotypeAndEvalRebuildsItFromTheRunDirectory(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("golden.json");
        tiny().write(source);
        Path run = dir.resolve("run");
        Outcome o =
                dpnas(
                        TrainCommandTest.train(
                                run,
                                "--genotype",
                                source.toString(),
                                "--set",
                                "model.filter_multiplier=2",
                                "--max-steps",
                                "2"));
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("genotype.json"), o.out());
        Path copy = run.resolve("genotype.json");
        assertEquals(Files.readString(source), Files.readString(copy));
        JsonObject model =
                TrainCommandTest.json(run.resolve("config.resolved.json")).getAsJsonObject("model");
        assertEquals("autodeeplab", model.get("name").getAsString());
        assertEquals(
                copy.toAbsolutePath().normalize().toString(), model.get("genotype").getAsString());
        assertEquals(
                source.toAbsolutePath().normalize().toString(),
                model.get("genotype_source").getAsString());
        assertEquals(2, model.get("filter_multiplier").getAsInt());
        assertTrue(Files.exists(run.resolve("checkpoints/step-00000002/model.params")));

        // the network comes from the run's own copy, not from the original file
        Files.delete(source);
        Path out = dir.resolve("eval.json");
        Outcome e = dpnas("eval", "model", "--run", run.toString(), "--json", out.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(
                TrainCommandTest.json(run.resolve("final_metrics.json")).get("mIoU").getAsDouble(),
                TrainCommandTest.json(out).get("mIoU").getAsDouble(),
                1e-12);
    }

    @Test
    void modelsBuildTheNetworkTheConfigDescribes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("g.json");
        tiny().write(file);
        Config c =
                ConfigLoader.load(
                        TrainConfigs.defaults(),
                        null,
                        List.of(
                                "model.name=autodeeplab",
                                "model.genotype=" + file,
                                "model.filter_multiplier=6",
                                "model.block_multiplier=1"));
        AutoDeepLabNet net = (AutoDeepLabNet) Models.build(c.sub("model"), 7);
        assertEquals(
                new AutoDeepLabNet.Settings(7, 6, 1, 256, 48, true, 0.5f, 0.1f, false),
                net.settings());
        assertEquals(tiny(), net.genotype());
        AutoDeepLabNet byDefault =
                (AutoDeepLabNet)
                        Models.build(
                                c.withOverrides(
                                                List.of(
                                                        "model.filter_multiplier=null",
                                                        "model.block_multiplier=null"))
                                        .sub("model"),
                                7);
        // no F and no preset: Auto-DeepLab-S (F = 20), never the search's F silently
        assertEquals(
                new AutoDeepLabNet.Settings(7, 20, 2, 256, 48, true, 0.5f, 0.1f, false),
                byDefault.settings());
    }

    @Test
    void aMissingGenotypeFileIsAUsageErrorNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere/genotype.json");
        Path run = dir.resolve("run");
        Outcome o = dpnas(TrainCommandTest.train(run, "--genotype", missing.toString()));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(missing.toString()), o.err());
        assertTrue(o.err().contains("not found"), o.err());
        assertFalse(Files.exists(run.resolve("config.resolved.json")));
    }

    @Test
    void anInvalidGenotypeIsAUsageErrorNamingTheFileAndTheProblem(@TempDir Path dir)
            throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, tiny().toJson().replace("avg_pool_3x3", "none"));
        Outcome o = dpnas(TrainCommandTest.train(dir.resolve("run"), "--genotype", bad.toString()));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(bad.toString()), o.err());
        assertTrue(o.err().contains("'none'"), o.err());
    }

    @Test
    void genotypeConflictsWithAnotherModelAndWithResume(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("g.json");
        tiny().write(file);
        Outcome o =
                dpnas(
                        TrainCommandTest.train(
                                dir.resolve("a"),
                                "--model",
                                "baseline",
                                "--genotype",
                                file.toString()));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("--genotype"), o.err());
        Outcome r =
                dpnas(
                        TrainCommandTest.train(
                                dir.resolve("b"), "--resume", "--genotype", file.toString()));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("drop --genotype"), r.err());
    }

    @Test
    void autodeeplabWithoutAGenotypeSaysHowToGiveOne(@TempDir Path dir) {
        Outcome o = dpnas(TrainCommandTest.train(dir.resolve("run"), "--model", "autodeeplab"));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("--genotype FILE"), o.err());
    }
}
