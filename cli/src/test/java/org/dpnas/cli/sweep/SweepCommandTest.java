package org.dpnas.cli.sweep;

import static org.dpnas.cli.Cli.dpnas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dpnas.cli.Cli;
import org.dpnas.cli.Cli.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dpnas sweep} on the local back-end with a stand-in for {@code dpnas} (a bash script that
 * writes the run directory's files at once), so the bookkeeping is tested in seconds; the Slurm
 * test runs the real {@code dpnas train}.
 */
class SweepCommandTest {

    /**
     * A fake dpnas: logs its arguments to calls.txt, fails when told, sleeps when told, and writes
     * final_metrics.json with mIoU = train.lr + seed/1000.
     */
    static Path fakeDpnas(Path dir) throws Exception {
        Path f = dir.resolve("fake-dpnas.sh");
        Files.writeString(
                f,
                """
                #!/usr/bin/env bash
                echo "$*" >> "$(dirname "$0")/calls.txt"
                wd=""; lr=0; seed=0; fail=0; nap=0
                while [ $# -gt 0 ]; do
                  case "$1" in
                    --work-dir) wd=$2; shift ;;
                    --set) case "$2" in
                      train.lr=*) lr=${2#train.lr=} ;;
                      seed=*) seed=${2#seed=} ;;
                      fail=*) fail=${2#fail=} ;;
                      sleep=*) nap=${2#sleep=} ;;
                    esac; shift ;;
                  esac; shift
                done
                sleep "$nap"
                if [ "$fail" = 1 ]; then echo "loading data ..."; echo "boom: bad data"; exit 1; fi
                mkdir -p "$wd"
                echo '{}' > "$wd/config.resolved.json"
                m=$(awk -v a="$lr" -v s="$seed" 'BEGIN { printf "%.4f", a + s / 1000 }')
                echo "{\\"mIoU\\": $m}" > "$wd/final_metrics.json"
                """);
        return f;
    }

    private static Path spec(Path dir, String json) throws Exception {
        Path f = dir.resolve("spec.json");
        Files.writeString(f, json);
        return f;
    }

    private static long calls(Path dir) throws Exception {
        Path c = dir.resolve("calls.txt");
        return Files.exists(c) ? Files.readAllLines(c).size() : 0;
    }

    @Test
    void aGridRunsOnceReportsAndReattaches(@TempDir Path dir) throws Exception {
        String exec = "bash " + fakeDpnas(dir);
        Path spec =
                spec(
                        dir,
                        "{\"name\": \"g\", \"command\": \"train --max-steps 1\","
                                + " \"grid\": {\"train.lr\": [0.1, 0.3, 0.2]}, \"seeds\": [1, 2]}");
        Path sw = dir.resolve("sw");
        String[] run = {
            "sweep",
            spec.toString(),
            "--work-dir",
            sw.toString(),
            "--slots",
            "3",
            "--poll",
            "0.05",
            "--exec",
            exec
        };
        Outcome o = dpnas(run);
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("6 of 6 trials completed"), o.out());
        assertTrue(o.out().contains("t003   COMPLETED"), o.out());
        assertEquals(6, calls(dir));

        Outcome again = dpnas(run);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("(re-attached)"), again.err());
        assertEquals(6, calls(dir), "a finished sweep runs nothing again");

        Path json = dir.resolve("status.json");
        Outcome st = dpnas("sweep", "status", sw.toString(), "--json", json.toString());
        assertEquals(0, st.code(), st.err());
        JsonArray trials = Cli.json(json).getAsJsonArray("trials");
        assertEquals(6, trials.size());
        JsonObject t3 = trials.get(3).getAsJsonObject();
        assertEquals("t003", t3.get("id").getAsString());
        assertEquals("COMPLETED", t3.get("state").getAsString());
        assertEquals(0.302, t3.get("metric").getAsDouble(), 1e-12);
        assertEquals("0.3", t3.getAsJsonObject("overrides").get("train.lr").getAsString());
        assertEquals(2, t3.get("seed").getAsLong());
        assertEquals(sw.resolve("trials/t003").toString(), t3.get("run_dir").getAsString());
        assertTrue(t3.get("job").getAsString().startsWith("local:"));

        Outcome rep = dpnas("sweep", "report", sw.toString());
        assertEquals(0, rep.code(), rep.err());
        assertTrue(rep.out().contains("best: t003 mIoU = 0.3020 train.lr=0.3 seed=2"), rep.out());
        assertTrue(Files.size(sw.resolve("report.png")) > 1000);
        String csv = Files.readString(sw.resolve("report.csv"));
        assertTrue(csv.startsWith("trial,state,job,attempts,seed,train.lr,mIoU\n"), csv);
        assertTrue(csv.contains("t005,COMPLETED,"), csv);
    }

    @Test
    void aFailingTrialIsRetriedThenReportedWithItsLog(@TempDir Path dir) throws Exception {
        String exec = "bash " + fakeDpnas(dir);
        Path spec =
                spec(
                        dir,
                        "{\"command\": \"train\", \"list\": [{\"train.lr\": 0.5}, {\"fail\": 1}]}");
        Path sw = dir.resolve("sw");
        Outcome o =
                dpnas(
                        "sweep",
                        spec.toString(),
                        "--work-dir",
                        sw.toString(),
                        "--retries",
                        "1",
                        "--poll",
                        "0.05",
                        "--exec",
                        exec);
        assertEquals(1, o.code(), o.out() + o.err());
        assertTrue(o.out().contains("1 of 2 trials completed"), o.out());
        assertEquals(3, calls(dir), "the failing trial ran twice, the other once");
        Outcome st = dpnas("sweep", "status", sw.toString());
        assertEquals(0, st.code(), st.err());
        assertTrue(st.out().contains("t001   FAILED"), st.out());
        assertTrue(st.out().contains("t001: FAILED (exit code 1)"), st.out());
        assertTrue(st.out().contains("boom: bad data"), st.out());
    }

    @Test
    void cancelStopsADetachedSweep(@TempDir Path dir) throws Exception {
        String exec = "bash " + fakeDpnas(dir);
        Path spec = spec(dir, "{\"command\": \"train\", \"grid\": {\"sleep\": [30, 30]}}");
        Path sw = dir.resolve("sw");
        Outcome o =
                dpnas(
                        "sweep",
                        spec.toString(),
                        "--work-dir",
                        sw.toString(),
                        "--slots",
                        "2",
                        "--detach",
                        "--exec",
                        exec);
        assertEquals(0, o.code(), o.err());
        assertTrue(o.err().contains("detached"), o.err());
        Outcome c = dpnas("sweep", "cancel", sw.toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("cancelled 2 jobs"), c.out());
        Outcome st = dpnas("sweep", "status", sw.toString());
        assertTrue(st.out().contains("t000   CANCELLED"), st.out());
        assertTrue(st.out().contains("t001   CANCELLED"), st.out());
        // rerunning a cancelled sweep keeps it cancelled
        Outcome again =
                dpnas(
                        "sweep",
                        spec.toString(),
                        "--work-dir",
                        sw.toString(),
                        "--poll",
                        "0.05",
                        "--exec",
                        exec);
        assertEquals(1, again.code());
        assertEquals(2, calls(dir));
    }

    @Test
    void usageErrors(@TempDir Path dir) throws Exception {
        Path spec = spec(dir, "{\"command\": \"train\"}");
        Outcome b = dpnas("sweep", spec.toString(), "--backend", "k8s");
        assertEquals(2, b.code());
        assertTrue(b.err().contains("expects local, slurm or inprocess, got 'k8s'"), b.err());
        Outcome n = dpnas("sweep", "status", dir.resolve("nope").toString());
        assertEquals(2, n.code());
        assertTrue(n.err().contains("no such sweep directory"), n.err());
        Path sw = dir.resolve("sw");
        String exec = "bash " + fakeDpnas(dir);
        assertEquals(
                0,
                dpnas(
                                "sweep",
                                spec.toString(),
                                "--work-dir",
                                sw.toString(),
                                "--poll",
                                "0.05",
                                "--exec",
                                exec)
                        .code());
        Path other = dir.resolve("other.json");
        Files.writeString(other, "{\"command\": \"train --max-steps 3\"}");
        Outcome d = dpnas("sweep", other.toString(), "--work-dir", sw.toString());
        assertEquals(2, d.code());
        assertTrue(d.err().contains("holds another sweep"), d.err());
        Outcome k =
                dpnas("sweep", spec.toString(), "--work-dir", sw.toString(), "--backend", "slurm");
        assertEquals(2, k.code());
        assertTrue(k.err().contains("was run with --backend local"), k.err());
    }
}
