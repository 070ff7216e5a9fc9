package org.dpnas.common.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Random search through the multi-trial driver on a toy space of integers 0..99. */
class MultiTrialSearchTest {

    record Num(int x) implements Genotype {
        @Override
        public String method() {
            return "toy";
        }

        @Override
        public int schema() {
            return 1;
        }

        @Override
        public String toJson() {
            return "{\"schema\":1,\"method\":\"toy\",\"x\":" + x + "}\n";
        }
    }

    static final class Numbers implements SearchSpace<Num> {
        @Override
        public String method() {
            return "toy";
        }

        @Override
        public Num sample(Random random) {
            return new Num(random.nextInt(100));
        }

        @Override
        public Block build(Num genotype, int numClasses) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Num fromJson(String json) {
            JsonObject o = GenotypeFiles.parse(json);
            GenotypeFiles.checkHeader(o, 1, "toy");
            return new Num(GenotypeFiles.integer(o, "x"));
        }

        @Override
        public String describe(Num genotype) {
            return "x = " + genotype.x();
        }

        @Override
        public String picture(Num genotype, String title) {
            return "<svg/>";
        }
    }

    /** Scores −|x − 42| and records what it evaluated. */
    static final class Recorder implements Evaluator<Num> {
        final List<Integer> seen = new ArrayList<>();

        @Override
        public Result evaluate(Num genotype, Path runDir) throws Exception {
            Files.createDirectories(runDir);
            seen.add(genotype.x());
            return new Result(Map.of("x", (double) genotype.x()), -Math.abs(genotype.x() - 42));
        }
    }

    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    private static List<Trial<Num>> search(Path dir, Recorder r, int n) throws Exception {
        Numbers space = new Numbers();
        return new MultiTrialSearch<>(
                        space, new RandomSearch<>(space, 5), TrialRunner.inProcess(r), dir, QUIET)
                .run(n);
    }

    @Test
    void runsTrialsWritesHistoryAndTheBest(@TempDir Path dir) throws Exception {
        Recorder r = new Recorder();
        List<Trial<Num>> trials = search(dir, r, 6);
        assertEquals(6, trials.size());
        assertEquals(6, r.seen.size());
        List<Integer> expected = new ArrayList<>();
        Random random = new Random(5);
        for (int i = 0; i < 6; i++) {
            expected.add(random.nextInt(100)); // uniform draws of the space, in order
        }
        assertEquals(expected, r.seen);
        assertEquals(6, Files.readAllLines(dir.resolve("search/history.jsonl")).size());
        int best = expected.stream().min((a, b) -> Math.abs(a - 42) - Math.abs(b - 42)).get();
        assertEquals(new Num(best), new Numbers().read(dir.resolve("best/genotype.json")));
        assertTrue(Files.isDirectory(dir.resolve("trials/trial-0005")));
    }

    /** A resumed search reruns no finished trial and continues the same sequence. */
    @Test
    void resumeSkipsFinishedTrials(@TempDir Path tmp) throws Exception {
        Recorder whole = new Recorder();
        search(tmp.resolve("whole"), whole, 7);
        Recorder first = new Recorder();
        search(tmp.resolve("cut"), first, 3);
        Recorder rest = new Recorder();
        search(tmp.resolve("cut"), rest, 7);
        assertEquals(3, first.seen.size());
        assertEquals(whole.seen.subList(3, 7), rest.seen);
        assertEquals(
                Files.readString(tmp.resolve("whole/search/history.jsonl")),
                Files.readString(tmp.resolve("cut/search/history.jsonl")));
    }

    @Test
    void badStateAndGenotypeFieldsAreNamed() {
        RandomSearch<Num> s = new RandomSearch<>(new Numbers(), 1);
        JsonObject o = new JsonObject();
        o.addProperty("strategy", "evolution");
        var e = assertThrows(IllegalArgumentException.class, () -> s.restore(o));
        assertTrue(e.getMessage().contains("strategy"), e.getMessage());
        var g =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new Numbers().fromJson("{\"schema\":1,\"method\":\"toy\"}"));
        assertTrue(g.getMessage().contains("'x'"), g.getMessage());
        var m =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new Numbers()
                                        .fromJson("{\"schema\":1,\"method\":\"other\",\"x\":1}"));
        assertTrue(m.getMessage().contains("'method'"), m.getMessage());
    }
}
