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
        };
        for (String[] c : cases) {
            CliException e = assertThrows(CliException.class, () -> spec(dir, c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertTrue(
                    e.getMessage().startsWith(dir.resolve("spec.json").toString()), e.getMessage());
        }
    }
}
