package org.dpnas.cli.train;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.common.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weights export} of today's other runs: the baseline and a retrained Auto-DeepLab genotype;
 * the exported file starts a new run of the same network strictly ({@code --init-weights}).
 */
class ExportRunsTest {

    @Test
    void baselineAndRetrainedGenotypeExportAndRestart(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base");
        assertEquals(0, dpnas(TrainCommandTest.train(base, "--max-steps", "1")).code());
        Path f = dir.resolve("base.safetensors");
        Outcome e = dpnas("weights", "export", "--run", base.toString(), "--out", f.toString());
        assertEquals(0, e.code(), e.err());
        try (SafeTensors st = SafeTensors.open(f)) {
            assertTrue(
                    st.tensors().containsKey("stem1.conv.weight"),
                    st.tensors().keySet().toString());
            assertTrue(st.tensors().containsKey("res1.conv1.bn.running_var"));
            assertEquals("baseline", st.metadata().get("dpnas_model"));
        }
        Outcome again =
                dpnas(
                        TrainCommandTest.train(
                                dir.resolve("again"),
                                "--max-steps",
                                "1",
                                "--init-weights",
                                f.toString()));
        assertEquals(0, again.code(), again.err());

        Path genotype = dir.resolve("g.json");
        TrainGenotypeTest.tiny().write(genotype);
        Path adl = dir.resolve("adl");
        Outcome t =
                dpnas(
                        TrainCommandTest.train(
                                adl,
                                "--genotype",
                                genotype.toString(),
                                "--set",
                                "model.filter_multiplier=2",
                                "--max-steps",
                                "1"));
        assertEquals(0, t.code(), t.err());
        Files.delete(genotype); // export rebuilds the network from the run's own copy
        Path g = dir.resolve("adl.safetensors");
        e = dpnas("weights", "export", "--run", adl.toString(), "--out", g.toString());
        assertEquals(0, e.code(), e.err());
        try (SafeTensors st = SafeTensors.open(g)) {
            assertEquals("autodeeplab", st.metadata().get("dpnas_model"));
            assertTrue(st.tensors().size() > 10);
        }
        Outcome restart =
                dpnas(
                        TrainCommandTest.train(
                                dir.resolve("adl2"),
                                "--genotype",
                                adl.resolve("genotype.json").toString(),
                                "--set",
                                "model.filter_multiplier=2",
                                "--max-steps",
                                "1",
                                "--init-weights",
                                g.toString()));
        assertEquals(0, restart.code(), restart.err());
        assertTrue(restart.err().contains("from " + g), restart.err());
    }
}
