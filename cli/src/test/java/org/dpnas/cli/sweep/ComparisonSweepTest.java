package org.dpnas.cli.sweep;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.cli.Cli.Outcome;
import org.dpnas.cli.search.SearchMethodCommand;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.Registry;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.strategies.MnasEvaluator;
import org.dpnas.common.search.strategies.Strategies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed strategy comparison: the tiny synthetic spec runs for real (four NAS-FPN searches
 * of three children, in this process) and its report's curves equal the best so far computed here
 * from the searches' histories; the BCCD spec's every trial resolves against the search defaults
 * and builds its strategy and reward, with one number of children for all variants.
 */
class ComparisonSweepTest {

    private static final Path SWEEPS = Path.of("..", "configs", "sweeps");

    @Test
    void theTinyComparisonRunsAndItsCurvesAreTheHistoriesBestSoFar(@TempDir Path dir)
            throws Exception {
        Path sw = dir.resolve("sw");
        Outcome o =
                dpnas(
                        "sweep",
                        SWEEPS.resolve("nasfpn-tiny-strategies.json").toString(),
                        "--backend",
                        "inprocess",
                        "--work-dir",
                        sw.toString());
        assertEquals(0, o.code(), o.out() + o.err());
        assertTrue(o.out().contains("4 of 4 trials completed"), o.out());
        Outcome r = dpnas("sweep", "report", sw.toString());
        assertEquals(0, r.code(), r.err());

        // by hand: per trial the running max of the history's scores (no reward is shaped here)
        String[] variant = {"random", "random", "rl", "rl"};
        double[][] best = new double[4][];
        List<List<JsonObject>> histories = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            List<JsonObject> lines = new ArrayList<>();
            for (String l :
                    Files.readAllLines(sw.resolve("trials/t00" + t + "/search/history.jsonl"))) {
                lines.add(JsonParser.parseString(l).getAsJsonObject());
            }
            assertEquals(3, lines.size(), "children of t00" + t);
            histories.add(lines);
            best[t] = new double[3];
            double b = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < 3; k++) {
                b = Math.max(b, lines.get(k).get("score").getAsDouble());
                best[t][k] = b;
            }
        }
        // the two variants drew different children (the strategies differ)
        assertTrue(
                !histories
                                .get(0)
                                .get(0)
                                .get("genotype")
                                .equals(histories.get(2).get(0).get("genotype"))
                        || !histories
                                .get(0)
                                .get(1)
                                .get("genotype")
                                .equals(histories.get(2).get(1).get("genotype")));
        List<String[]> curves = SweepCurvesTest.csv(sw.resolve("curves.csv"));
        assertEquals(7, curves.size());
        for (int v = 0; v < 2; v++) {
            for (int k = 0; k < 3; k++) {
                String[] row = curves.get(1 + 3 * v + k);
                double a = best[2 * v][k];
                double b = best[2 * v + 1][k];
                assertEquals(variant[2 * v], row[0]);
                assertEquals(String.valueOf(k + 1), row[1]);
                assertEquals("2", row[2]);
                assertEquals((a + b) / 2, Double.parseDouble(row[3]), 1e-12, "mean " + v + "," + k);
                assertEquals(Math.min(a, b), Double.parseDouble(row[4]), 0.0);
                assertEquals(Math.max(a, b), Double.parseDouble(row[5]), 0.0);
            }
        }
        // each variant's best genotype is its best child's, byte for byte
        List<String[]> fin = SweepCurvesTest.csv(sw.resolve("final.csv"));
        for (int v = 0; v < 2; v++) {
            String[] row = fin.get(1 + v);
            String child =
                    histories
                            .get(Integer.parseInt(row[7].substring(1)))
                            .get(Integer.parseInt(row[8]))
                            .get("dir")
                            .getAsString();
            assertEquals(
                    Files.readString(
                            sw.resolve("trials")
                                    .resolve(row[7])
                                    .resolve(child)
                                    .resolve("genotype.json")),
                    Files.readString(sw.resolve(row[10])));
        }
        assertTrue(Files.size(sw.resolve("curves.png")) > 5000);
        SweepSpec retrain = SweepSpec.read(sw.resolve("retrain.json"));
        assertEquals("stats.0", retrain.metric());
        assertEquals(2, retrain.plan(dir.resolve("rt")).size());
    }

    @Test
    void everyTrialOfTheBccdComparisonResolvesAndBuildsItsStrategy() throws Exception {
        SweepSpec spec = SweepSpec.read(SWEEPS.resolve("nasfpn-bccd-strategies.json"));
        assertEquals(
                List.of("random", "rl", "renas", "rl-mnas", "rl-irlas"),
                List.copyOf(spec.named().keySet()));
        assertEquals(List.of(0L, 1L, 2L), spec.seeds());
        assertEquals(List.of("search", "nasfpn"), spec.command().subList(0, 2));
        SearchMethod method = Registry.method("nasfpn").orElseThrow();
        List<SweepSpec.Planned> plan = spec.plan(Path.of("sw"));
        assertEquals(15, plan.size());
        for (SweepSpec.Planned p : plan) {
            List<String> words = p.trial().command();
            String preset = null;
            String strategy = null;
            String trials = null;
            List<String> sets = new ArrayList<>();
            for (int i = 2; i < words.size(); i++) {
                switch (words.get(i)) {
                    case "--preset" -> preset = words.get(++i);
                    case "--strategy" -> strategy = words.get(++i);
                    case "--trials" -> trials = words.get(++i);
                    case "--set" -> sets.add(words.get(++i));
                    case "--threads", "--device", "--work-dir" -> i++;
                    default -> throw new AssertionError("unexpected word " + words.get(i));
                }
            }
            assertEquals("10", trials, "the same number of children in every variant");
            Config config =
                    ConfigLoader.load(
                            SearchMethodCommand.withTrials(
                                    Strategies.withDefaults(method.searchDefaults())),
                            Path.of("..", "configs", "nasfpn", preset + ".json"),
                            sets);
            assertEquals(160, config.getInt("proxy.image_size"));
            SearchSpace<?> space = method.space(config);
            Strategies.create(strategy, space, config, Path.of("sw"));
            Evaluator<?> reward = reward(config, space);
            assertEquals(
                    p.variant().equals("rl-mnas"), reward instanceof MnasEvaluator<?>, p.variant());
            assertEquals(
                    p.variant().equals("rl-irlas"),
                    config.getDouble("search.irlas.weight") > 0,
                    p.variant());
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Evaluator<?> reward(Config config, SearchSpace space) {
        Evaluator plain = (g, d) -> null;
        return Strategies.rewarded(config, space, plain, () -> 3);
    }
}
