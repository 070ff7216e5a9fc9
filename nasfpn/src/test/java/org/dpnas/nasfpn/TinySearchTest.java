package org.dpnas.nasfpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.search.MultiTrialSearch;
import org.dpnas.common.search.SearchStrategy;
import org.dpnas.common.search.Trial;
import org.dpnas.common.search.TrialRunner;
import org.dpnas.common.search.rl.RlSearch;
import org.dpnas.datasets.synthetic.SyntheticDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-trial NAS-FPN search on synthetic boxes with the core's random search (the RL controller is
 * not wired yet): each child trains for 2 steps and is scored by AP on held-out training images;
 * the search directory holds the history and the best genotype, and a second run resumes without
 * training again.
 */
class TinySearchTest {

    private static SearchStrategy<PyramidGenotype> controller(PyramidSpace space) {
        return new RlSearch<>(space, RlSearch.Options.defaults(RlSearch.Algorithm.PPO), 11, null);
    }

    @Test
    void controllerSearchRunsAndResumes(@TempDir Path dir) throws Exception {
        SyntheticDetDataset data = new SyntheticDetDataset(SyntheticDataset.of(5, "train", 6));
        ProxyEvaluator eval =
                new ProxyEvaluator(
                        data,
                        3,
                        "resnet10",
                        16,
                        1,
                        "tf",
                        new DetectorTrainer.Settings(64, 2, 2, 1e-3f, 5));
        PyramidSpace space = new PyramidSpace(5, "resnet10", 16, 1, "tf");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        List<Trial<PyramidGenotype>> trials =
                new MultiTrialSearch<>(
                                space, controller(space), TrialRunner.inProcess(eval), dir, quiet)
                        .run(2);
        assertEquals(2, trials.size());
        for (Trial<PyramidGenotype> t : trials) {
            assertTrue(t.score() >= 0 && t.score() <= 1, "AP " + t.score());
            assertEquals(2.0, t.metrics().get("steps"));
        }
        assertEquals(2, Files.readAllLines(dir.resolve("search/history.jsonl")).size());
        PyramidGenotype best = space.read(dir.resolve("best/genotype.json"));
        assertEquals(5, best.cells().size());
        // resume: the finished trials are read back, not retrained
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        List<Trial<PyramidGenotype>> again =
                new MultiTrialSearch<>(
                                space,
                                controller(space),
                                TrialRunner.inProcess(eval),
                                dir,
                                new PrintStream(second, true))
                        .run(2);
        assertEquals(trials.get(1).genotype(), again.get(1).genotype());
        assertEquals("", second.toString(), "no trial runs again");
        assertEquals(2, Files.readAllLines(dir.resolve("search/history.jsonl")).size());
    }
}
