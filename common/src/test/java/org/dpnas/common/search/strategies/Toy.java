package org.dpnas.common.search.strategies;

import ai.djl.nn.Block;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.GenotypeFiles;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.rl.Decision;
import org.dpnas.common.search.rl.DecisionSpace;

/** A toy space of vectors of n decisions with c choices each, and a reward with a known optimum. */
class Toy implements SearchSpace<Toy.Vec>, DecisionSpace<Toy.Vec> {

    /** A genotype: the decision vector. */
    record Vec(List<Integer> x) implements Genotype {
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
            JsonObject o = new JsonObject();
            o.addProperty("schema", 1);
            o.addProperty("method", "toy");
            JsonArray a = new JsonArray();
            x.forEach(a::add);
            o.add("x", a);
            return o + "\n";
        }

        static Vec of(int... x) {
            List<Integer> l = new ArrayList<>();
            for (int v : x) {
                l.add(v);
            }
            return new Vec(l);
        }
    }

    final int n;
    final int c;
    final boolean shared;

    Toy(int n, int c) {
        this(n, c, false);
    }

    /** With {@code shared}, every decision uses the head "op". */
    Toy(int n, int c, boolean shared) {
        this.n = n;
        this.c = c;
        this.shared = shared;
    }

    @Override
    public List<Decision> decisions() {
        List<Decision> d = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            d.add(shared ? new Decision("d" + i, c, "op") : Decision.of("d" + i, c));
        }
        return d;
    }

    @Override
    public int[] encode(Vec g) {
        return g.x().stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public Vec decode(int[] x) {
        if (x.length != n) {
            throw new IllegalArgumentException("expected " + n + " decisions");
        }
        for (int v : x) {
            if (v < 0 || v >= c) {
                throw new IllegalArgumentException("value " + v + " outside [0, " + c + ")");
            }
        }
        return Vec.of(x);
    }

    @Override
    public String method() {
        return "toy";
    }

    @Override
    public Vec sample(Random random) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(c);
        }
        return Vec.of(x);
    }

    @Override
    public Block build(Vec genotype, int numClasses) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Vec fromJson(String json) {
        JsonObject o = GenotypeFiles.parse(json);
        GenotypeFiles.checkHeader(o, 1, "toy");
        List<Integer> l = new ArrayList<>();
        o.getAsJsonArray("x").forEach(e -> l.add(e.getAsInt()));
        return new Vec(l);
    }

    @Override
    public String describe(Vec genotype) {
        return genotype.x().toString();
    }

    @Override
    public String picture(Vec genotype, String title) {
        return "<svg/>";
    }

    /** The fraction of decisions equal to {@code target}'s (1 only at the target). */
    static double matches(Vec g, int[] target) {
        int m = 0;
        for (int i = 0; i < target.length; i++) {
            if (g.x().get(i) == target[i]) {
                m++;
            }
        }
        return (double) m / target.length;
    }

    /** Scores {@link #matches} and records what it evaluated. */
    static final class Matches implements Evaluator<Vec> {
        final int[] target;
        final List<Vec> seen = new ArrayList<>();

        Matches(int[] target) {
            this.target = target;
        }

        @Override
        public Result evaluate(Vec genotype, Path runDir) throws Exception {
            Files.createDirectories(runDir);
            seen.add(genotype);
            double s = matches(genotype, target);
            return new Result(Map.of("matches", s), s);
        }
    }
}
