package org.dpnas.cli.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.cli.CliException;
import org.dpnas.common.launch.SlurmSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepSpecTest {

    private static SweepSpec spec(Path dir, String json) throws Exception {
        Path f = dir.resolve("spec.json");
        Files.writeString(f, json);
        return SweepSpec.read(f);
    }

    @Test
    void gridTimesSeedsInOrderWithTheirCommands(@TempDir Path dir) throws Exception {
        SweepSpec s =
                spec(
                        dir,
                        """
                        {"command": "train --max-steps 20",
                         "grid": {"train.lr": [0.01, 0.1], "train.optimizer": ["sgd", "adam"]},
                         "seeds": [3, 4],
                         "slurm": {"partition": "gpu", "time": "00:10:00", "cpus_per_task": 2,
                                   "mem": "4G", "gres": "gpu:1", "account": null,
                                   "extra_args": ["--qos=low"]}}
                        """);
        assertEquals("spec", s.name());
        List<SweepSpec.Planned> plan = s.plan(dir.resolve("sw"));
        assertEquals(8, plan.size());
        Path run = dir.resolve("sw/trials/t005").toAbsolutePath();
        SweepSpec.Planned p = plan.get(5);
        assertEquals("t005", p.trial().id());
        // lr varies slowest, then the optimizer, then the seed
        assertEquals(
                List.of(
                        "train",
                        "--max-steps",
                        "20",
                        "--set",
                        "train.lr=0.1",
                        "--set",
                        "train.optimizer=sgd",
                        "--set",
                        "seed=4",
                        "--work-dir",
                        run.toString()),
                p.trial().command());
        assertEquals(
                List.of("train", "--work-dir", run.toString(), "--resume"),
                p.trial().resumeCommand());
        assertEquals(run.resolve("final_metrics.json"), p.trial().result());
        assertEquals(
                new SlurmSettings(
                        "gpu", "00:10:00", 2, "4G", "gpu:1", null, List.of("--qos=low"), 0),
                s.slurm());
    }

    @Test
    void aListAndASearchCommand(@TempDir Path dir) throws Exception {
        SweepSpec s =
                spec(
                        dir,
                        """
                        {"name": "adl", "command": ["search", "autodeeplab", "--preset", "tiny"],
                         "list": [{"search.arch_start_epoch": 2}, {"model.filter_multiplier": 4}],
                         "result_file": "best/genotype.json", "metric": "mIoU", "mode": "min"}
                        """);
        List<SweepSpec.Planned> plan = s.plan(dir);
        assertEquals(2, plan.size());
        assertTrue(plan.get(1).trial().command().contains("model.filter_multiplier=4"));
        assertEquals(
                List.of("search", "autodeeplab", "--work-dir"),
                plan.get(0).trial().resumeCommand().subList(0, 3));
        assertEquals(false, s.maximize());
    }

    @Test
    void namedVariantsCrossedWithSeedsWithTheirResumeCommands(@TempDir Path dir) throws Exception {
        SweepSpec s =
                spec(
                        dir,
                        """
                        {"command": "search m --preset tiny --trials 3",
                         "variants": {"random": "--strategy random",
                                      "mnas": ["--strategy", "rl", "--set", "search.reward=mnas"]},
                         "seeds": [5, 6], "result_file": "best/trial.json", "metric": "score",
                         "retrain": {"command": "train --config r.json", "metric": "stats.0"}}
                        """);
        assertTrue(s.hasNamedVariants());
        List<SweepSpec.Planned> plan = s.plan(dir.resolve("sw"));
        assertEquals(4, plan.size());
        // the variant varies slowest, the seed fastest
        assertEquals(
                List.of("random", "random", "mnas", "mnas"),
                plan.stream().map(SweepSpec.Planned::variant).toList());
        Path run = dir.resolve("sw/trials/t003").toAbsolutePath();
        SweepSpec.Planned p = plan.get(3);
        assertEquals(
                List.of(
                        "search",
                        "m",
                        "--preset",
                        "tiny",
                        "--trials",
                        "3",
                        "--strategy",
                        "rl",
                        "--set",
                        "search.reward=mnas",
                        "--set",
                        "seed=6",
                        "--work-dir",
                        run.toString()),
                p.trial().command());
        // a resumed search needs its strategy and --trials again, never its preset
        assertEquals(
                List.of(
                        "search",
                        "m",
                        "--trials",
                        "3",
                        "--strategy",
                        "rl",
                        "--set",
                        "search.reward=mnas",
                        "--set",
                        "seed=6",
                        "--work-dir",
                        run.toString(),
                        "--resume"),
                p.trial().resumeCommand());
        assertEquals(run.resolve("best/trial.json"), p.trial().result());
        assertEquals(List.of("train", "--config", "r.json"), s.retrain().command());
        assertEquals("stats.0", s.retrain().metric());
        // an old spec still plans as before
        SweepSpec old = spec(dir, "{\"command\": \"train\", \"seeds\": [1]}");
        assertEquals(false, old.hasNamedVariants());
        assertEquals(null, old.plan(dir).get(0).variant());
    }

    @Test
    void theCommittedSweepSpecsAreValid() throws Exception {
        try (var files = Files.list(Path.of("..", "configs", "sweeps"))) {
            List<Path> specs = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertTrue(specs.size() >= 4, specs.toString());
            for (Path f : specs) {
                assertTrue(SweepSpec.read(f).plan(Path.of("sw")).size() >= 2, f.toString());
            }
        }
    }

    @Test
    void badSpecsAreRejectedNamingTheField(@TempDir Path dir) {
        String[][] cases = {
            {"{\"command\": \"train\", \"gird\": {}}", "unknown field 'gird'"},
            {"{\"grid\": {}}", "field 'command' is required"},
            {"{\"command\": \"eval model\"}", "must start with 'train' or 'search'"},
            {"{\"command\": \"train --work-dir x\"}", "must not contain --work-dir"},
            {"{\"command\": \"train --seed 3\"}", "use 'seeds' for seeds"},
            {"{\"command\": \"train\", \"grid\": {\"a\": []}}", "grid key 'a' needs a non-empty"},
            {"{\"command\": \"train\", \"grid\": {}, \"list\": []}", "either 'grid' or 'list'"},
            {"{\"command\": \"train\", \"seeds\": [1.5]}", "'seeds' must hold integers"},
            {"{\"command\": \"train\", \"mode\": \"up\"}", "'mode' must be"},
            {"{\"command\": \"train\", \"slurm\": {\"cpus\": 2}}", "unknown field 'slurm.cpus'"},
            {"{\"command\": \"train\", \"list\": [{\"a b\": 1}]}", "not a config key"},
            {"{\"command\": \"train\",}", "not valid JSON"},
            {
                "{\"command\": \"search m\", \"variants\": {\"a\": \"--strategy rl\"},"
                        + " \"grid\": {\"x\": [1]}}",
                "give 'variants' or 'grid', not both"
            },
            {"{\"command\": \"search m\", \"variants\": {}}", "'variants' must be a non-empty"},
            {"{\"command\": \"search m\", \"variants\": []}", "'variants' must be a non-empty"},
            {
                "{\"command\": \"search m\", \"variants\": {\"a b\": \"--strategy rl\"}}",
                "variant name 'a b'"
            },
            {
                "{\"command\": \"search m\", \"variants\": {\"a\": [\"--strategy\", 3]}}",
                "field 'variants.a' must hold strings"
            },
            {
                "{\"command\": \"search m\", \"variants\": {\"a\": \"--seed 3\"}}",
                "field 'variants.a' must not contain --seed"
            },
            {"{\"command\": \"search m\", \"retrain\": \"train\"}", "'retrain' must be an object"},
            {
                "{\"command\": \"search m\", \"retrain\": {\"command\": \"eval\"}}",
                "'retrain.command' must start with 'train'"
            },
            {
                "{\"command\": \"search m\", \"retrain\": {\"command\": \"train --genotype g\"}}",
                "'retrain.command' must not contain --genotype"
            },
            {
                "{\"command\": \"search m\", \"retrain\": {\"command\": \"train\", \"metrc\": 1}}",
                "unknown field 'retrain.metrc'"
            },
            {"{\"command\": \"search m\", \"retrain\": {}}", "'retrain.command' is required"},
        };
        for (String[] c : cases) {
            CliException e = assertThrows(CliException.class, () -> spec(dir, c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertTrue(
                    e.getMessage().startsWith(dir.resolve("spec.json").toString()), e.getMessage());
        }
    }
}
