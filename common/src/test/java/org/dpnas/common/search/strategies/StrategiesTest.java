package org.dpnas.common.search.strategies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.RandomSearch;
import org.dpnas.common.search.SearchStrategy;
import org.dpnas.common.search.TrialRunner;
import org.dpnas.common.search.rl.RlSearch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factory: strategies, terms and rewards from a configuration, and refusals naming keys. */
class StrategiesTest {

    private static Config config(String... sets) {
        JsonObject d = new JsonObject();
        d.addProperty("seed", 1);
        d.addProperty("device", "cpu");
        JsonObject search = new JsonObject();
        search.addProperty("batch_size", 2); // a method's own key, kept
        d.add("search", search);
        JsonObject all = Strategies.withDefaults(d);
        assertEquals(2, all.getAsJsonObject("search").get("batch_size").getAsInt());
        return ConfigLoader.load(all, null, List.of(sets));
    }

    @Test
    void buildsEachStrategy(@TempDir Path dir) {
        Toy space = new Toy(3, 4);
        assertInstanceOf(RandomSearch.class, Strategies.create("random", space, config(), dir));
        assertInstanceOf(RlSearch.class, Strategies.create("rl", space, config(), dir));
        SearchStrategy<Toy.Vec> renas =
                Strategies.create(
                        "renas",
                        space,
                        config("search.renas.population=4", "search.renas.tournament=2"),
                        dir);
        assertInstanceOf(RenasSearch.class, renas);
        // RENAS names parents, so its runner writes parent.json
        TrialRunner<Toy.Vec> base = (g, d) -> new Evaluator.Result(Map.of(), 0);
        assertInstanceOf(InheritingRunner.class, Strategies.runner(base, renas, dir));
        assertSame(
                base,
                Strategies.runner(base, Strategies.create("random", space, config(), dir), dir));
    }

    @Test
    void irlasWrapsALearningStrategyWithTheExpertFromAFile(@TempDir Path dir) throws Exception {
        Toy space = new Toy(3, 4);
        Path expert = dir.resolve("expert.json");
        space.write(Toy.Vec.of(1, 2, 3), expert);
        SearchStrategy<Toy.Vec> s =
                Strategies.create(
                        "rl",
                        space,
                        config("search.irlas.weight=0.5", "search.irlas.expert=" + expert),
                        dir);
        ImitationReward<Toy.Vec> irlas = assertInstanceOf(ImitationReward.class, s);
        assertEquals(0, irlas.term(Toy.Vec.of(1, 2, 3)), 0);
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Strategies.create(
                                        "rl",
                                        space,
                                        config(
                                                "search.irlas.weight=0.5",
                                                "search.irlas.expert=fpn"),
                                        dir));
        assertTrue(e.getMessage().contains("search.irlas.expert 'fpn'"), e.getMessage());
    }

    @Test
    void rewardIsTheEvaluatorOrTheMnasWrapper() {
        Toy space = new Toy(3, 4);
        Evaluator<Toy.Vec> inner = (g, d) -> new Evaluator.Result(Map.of(), 0.5);
        assertSame(inner, Strategies.reward(config(), space, inner, 2));
        assertInstanceOf(
                MnasEvaluator.class,
                Strategies.reward(
                        config("search.reward=mnas", "search.mnas.target_ms=3"), space, inner, 2));
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Strategies.reward(config("search.reward=fast"), space, inner, 2));
        assertTrue(e.getMessage().contains("search.reward 'fast'"), e.getMessage());
    }

    /**
     * A method's own evaluator keeps its score unless the configuration asks for the MnasNet
     * reward; the class count (which may open a dataset) is asked for only then.
     */
    @Test
    void ownEvaluatorsGetTheRewardOnlyWhenConfigured() {
        Toy space = new Toy(3, 4);
        Evaluator<Toy.Vec> inner = (g, d) -> new Evaluator.Result(Map.of(), 0.5);
        int[] asked = {0};
        java.util.function.IntSupplier classes =
                () -> {
                    asked[0]++;
                    return 2;
                };
        Config bare = ConfigLoader.load(new JsonObject(), null, List.of());
        assertSame(inner, Strategies.rewarded(bare, space, inner, classes));
        assertSame(inner, Strategies.rewarded(config(), space, inner, classes));
        assertEquals(0, asked[0]);
        assertInstanceOf(
                MnasEvaluator.class,
                Strategies.rewarded(
                        config("search.reward=mnas", "search.mnas.target_ms=3"),
                        space,
                        inner,
                        classes));
        assertEquals(1, asked[0]);
    }

    @Test
    void badNamesAreRefusedNamingTheOptionOrKey(@TempDir Path dir) {
        Toy space = new Toy(3, 4);
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Strategies.create("evolution", space, config(), dir));
        assertTrue(e.getMessage().contains("--strategy evolution"), e.getMessage());
        var e2 =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Strategies.create(
                                        "rl", space, config("search.rl.algorithm=a2c"), dir));
        assertTrue(e2.getMessage().contains("search.rl.algorithm 'a2c'"), e2.getMessage());
        var e3 =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Strategies.create(
                                        "renas", space, config("search.renas.removal=best"), dir));
        assertTrue(e3.getMessage().contains("search.renas.removal 'best'"), e3.getMessage());
    }
}
