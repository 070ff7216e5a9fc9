package org.dpnas.cli.sweep;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.cli.Cli.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The comparison report of a sweep with named variants, on searches faked by a bash script whose
 * histories hold hand-chosen values, so every curve point and table entry is checked against a
 * value computed by hand; one variant's rewards are shaped (score ≠ metric), and the report must
 * use the metric.
 */
class SweepCurvesTest {

    /**
     * A fake dpnas: {@code search ... --strategy S --set seed=N --work-dir D} writes three history
     * lines with the values below and best/trial.json; {@code train --genotype G} writes
     * final_metrics.json with mIoU = x/100 + seed/1000 where x is the genotype's "x".
     *
     * <pre>
     * strategy random: seed 0 metric 0.1 0.3 0.2;   seed 1 metric 0.4 0.1 0.5   (score = metric)
     * strategy rl:     seed 0 metric 0.2 0.2 0.6, score 0.9 0.9 0.1;
     *                  seed 1 metric 0.05 0.3 0.1, score 0.9 0.1 0.1           (shaped)
     * genotype x = 10·seed + child index
     * </pre>
     */
    static Path fakeSearch(Path dir) throws Exception {
        Path f = dir.resolve("fake-search.sh");
        Files.writeString(
                f,
                """
                #!/usr/bin/env bash
                echo "$*" >> "$(dirname "$0")/calls.txt"
                verb=$1; wd=""; strategy=""; seed=0; genotype=""
                while [ $# -gt 0 ]; do
                  case "$1" in
                    --work-dir) wd=$2; shift ;;
                    --strategy) strategy=$2; shift ;;
                    --genotype) genotype=$2; shift ;;
                    --set) case "$2" in seed=*) seed=${2#seed=} ;; esac; shift ;;
                  esac; shift
                done
                mkdir -p "$wd/search" "$wd/best"
                echo '{}' > "$wd/config.resolved.json"
                if [ "$verb" = train ]; then
                  x=$(grep -o '"x":[0-9]*' "$genotype" | cut -d: -f2)
                  m=$(awk -v a="$x" -v s="$seed" 'BEGIN { printf "%.4f", a / 100 + s / 1000 }')
                  echo "{\\"mIoU\\": $m}" > "$wd/final_metrics.json"
                  exit 0
                fi
                case "$strategy/$seed" in
                  random/0) m=(0.1 0.3 0.2); s=(0.1 0.3 0.2) ;;
                  random/1) m=(0.4 0.1 0.5); s=(0.4 0.1 0.5) ;;
                  rl/0) m=(0.2 0.2 0.6); s=(0.9 0.9 0.1) ;;
                  rl/1) m=(0.05 0.3 0.1); s=(0.9 0.1 0.1) ;;
                esac
                h="$wd/search/history.jsonl"; : > "$h"
                for i in 0 1 2; do
                  g="{\\"schema\\":1,\\"method\\":\\"fake\\",\\"x\\":$((seed * 10 + i))}"
                  mt=""
                  if [ "$strategy" = rl ]; then mt=",\\"metric\\":${m[$i]}"; fi
                  printf '{"step":%d,"id":%d,"genotype":%s,"dir":"trials/trial-%04d","metrics":{"AP":%s%s},"score":%s}\\n' \\
                    $((i + 1)) $i "$g" $i "${m[$i]}" "$mt" "${s[$i]}" >> "$h"
                done
                echo "{\\"score\\": ${s[2]}}" > "$wd/best/trial.json"
                """);
        return f;
    }

    static List<String[]> csv(Path file) throws Exception {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            rows.add(line.split(",", -1));
        }
        return rows;
    }

    @Test
    void curvesAndTableEqualHandComputedBestSoFarOfTheTaskMetric(@TempDir Path dir)
            throws Exception {
        String exec = "bash " + fakeSearch(dir);
        Path spec = dir.resolve("cmp.json");
        Files.writeString(
                spec,
                """
                {"name": "cmp", "command": "search fake --trials 3",
                 "variants": {"random": "--strategy random", "rl": ["--strategy", "rl"]},
                 "seeds": [0, 1], "result_file": "best/trial.json", "metric": "score",
                 "retrain": {"command": "train --max-steps 1", "metric": "mIoU", "seeds": [7]}}
                """);
        Path sw = dir.resolve("sw");
        Outcome o =
                dpnas(
                        "sweep",
                        spec.toString(),
                        "--work-dir",
                        sw.toString(),
                        "--slots",
                        "2",
                        "--poll",
                        "0.05",
                        "--exec",
                        exec);
        assertEquals(0, o.code(), o.out() + o.err());
        List<String> calls = Files.readAllLines(dir.resolve("calls.txt"));
        assertEquals(4, calls.size());
        assertTrue(
                calls.stream().anyMatch(c -> c.contains("--strategy rl --set seed=1")),
                calls.toString());

        Outcome r = dpnas("sweep", "report", sw.toString());
        assertEquals(0, r.code(), r.err());
        // curves.csv: mean, min, max over the two seeds of the best so far (by hand, see above)
        List<String[]> curves = csv(sw.resolve("curves.csv"));
        assertArrayEquals(
                new String[] {"variant", "children", "seeds", "mean", "min", "max"}, curves.get(0));
        double[][] expected = {
            // random: seed 0 best 0.1 0.3 0.3; seed 1 best 0.4 0.4 0.5
            {1, 2, 0.25, 0.1, 0.4}, {2, 2, 0.35, 0.3, 0.4}, {3, 2, 0.4, 0.3, 0.5},
            // rl by its metric: seed 0 best 0.2 0.2 0.6; seed 1 best 0.05 0.3 0.3
            {1, 2, 0.125, 0.05, 0.2}, {2, 2, 0.25, 0.2, 0.3}, {3, 2, 0.45, 0.3, 0.6},
        };
        assertEquals(7, curves.size());
        for (int i = 0; i < 6; i++) {
            String[] row = curves.get(i + 1);
            assertEquals(i < 3 ? "random" : "rl", row[0]);
            for (int j = 0; j < 5; j++) {
                assertEquals(expected[i][j], Double.parseDouble(row[j + 1]), 1e-12, "row " + i);
            }
        }
        // per-trial curves: t003 is rl seed 1
        List<String[]> trials = csv(sw.resolve("curves_trials.csv"));
        assertArrayEquals(new String[] {"t003", "rl", "1", "2", "0.3", "0.3"}, trials.get(11));
        // final.csv: final best mean ± sample sd, the best child, its genotype
        List<String[]> fin = csv(sw.resolve("final.csv"));
        assertEquals("random", fin.get(1)[0]);
        assertEquals(0.4, Double.parseDouble(fin.get(1)[3]), 1e-12);
        assertEquals(Math.sqrt(0.02), Double.parseDouble(fin.get(1)[4]), 1e-12);
        assertEquals("t001", fin.get(1)[7]);
        assertEquals("2", fin.get(1)[8]);
        assertEquals(0.45, Double.parseDouble(fin.get(2)[3]), 1e-12);
        assertEquals(Math.sqrt(0.045), Double.parseDouble(fin.get(2)[4]), 1e-12);
        assertEquals("t002", fin.get(2)[7]);
        assertTrue(r.out().contains("rl       2      3         0.4500 ± 0.2121"), r.out());
        JsonObject g =
                JsonParser.parseString(Files.readString(sw.resolve("best/random.genotype.json")))
                        .getAsJsonObject();
        assertEquals(12, g.get("x").getAsInt());
        assertTrue(Files.size(sw.resolve("curves.png")) > 5000);

        // the retrain sweep the report wrote: one variant per best genotype, the one budget
        Path retrain = sw.resolve("retrain.json");
        SweepSpec rs = SweepSpec.read(retrain);
        assertEquals(List.of("train", "--max-steps", "1"), rs.command());
        assertEquals(List.of("random", "rl"), List.copyOf(rs.named().keySet()));
        assertEquals(
                List.of("--genotype", sw.resolve("best/rl.genotype.json").toString()),
                rs.named().get("rl"));
        Outcome t =
                dpnas(
                        "sweep",
                        retrain.toString(),
                        "--work-dir",
                        sw.resolve("retrain").toString(),
                        "--poll",
                        "0.05",
                        "--exec",
                        exec);
        assertEquals(0, t.code(), t.out() + t.err());
        Outcome r2 = dpnas("sweep", "report", sw.toString());
        assertEquals(0, r2.code(), r2.err());
        // random's best genotype x = 12, rl's x = 2; retrain seed 7: mIoU = x/100 + 0.007
        assertTrue(r2.out().contains("0.1270 (1 run)"), r2.out());
        assertTrue(r2.out().contains("0.0270 (1 run)"), r2.out());
        List<String[]> fin2 = csv(sw.resolve("final.csv"));
        assertEquals(0.127, Double.parseDouble(fin2.get(1)[11]), 1e-12);
    }

    @Test
    void bestSoFarSkipsMissingValuesAndFollowsTheMode() {
        double nan = Double.NaN;
        assertArrayEquals(
                new double[] {nan, 0.2, 0.2, 0.5},
                SweepCurves.bestSoFar(new double[] {nan, 0.2, nan, 0.5}, true));
        assertArrayEquals(
                new double[] {3, 1, 1}, SweepCurves.bestSoFar(new double[] {3, 1, 2}, false));
        double[] ms = SweepCurves.meanSd(List.of(1.0, 2.0, 4.0));
        assertEquals(7.0 / 3, ms[0], 1e-12);
        // (16/9 + 1/9 + 25/9) / 2 = 7/3
        assertEquals(Math.sqrt(7.0 / 3), ms[1], 1e-12);
        assertTrue(Double.isNaN(SweepCurves.meanSd(List.of(1.0))[1]));
    }
}
