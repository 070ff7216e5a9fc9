package org.dpnas.common.search;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpnas.common.launch.TrialLauncher;
import org.dpnas.common.run.AtomicFiles;

/**
 * How the children of a multi-trial search run as separate {@code dpnas} processes: the launcher
 * (local slots or Slurm), how many children are in flight at once, how often a failed child is
 * submitted again, the shell words that run {@code dpnas} inside a job, how long to wait between
 * two looks at the jobs, and the child's command line. One child is one process and one run
 * directory (DJL allows one gradient collector per JVM); the child writes {@link #RESULT_FILE} in
 * its run directory, which the search reads when the job is done.
 *
 * @param launcher where children run
 * @param parallel children in flight at once, at least 1
 * @param retries how often a failed child is submitted again
 * @param exec the shell fragment that runs {@code dpnas} inside a job
 * @param pollSeconds seconds between two looks at the jobs, positive
 * @param args the {@code dpnas} arguments of one child
 */
public record ChildProcesses(
        TrialLauncher launcher,
        int parallel,
        int retries,
        String exec,
        double pollSeconds,
        ChildArgs args) {

    /** The file a child writes in its run directory: {@code {"metrics": {...}, "score": x}}. */
    public static final String RESULT_FILE = "trial_result.json";

    /** The {@code dpnas} arguments that evaluate one child. */
    @FunctionalInterface
    public interface ChildArgs {

        /**
         * The arguments (without the {@code dpnas} command itself).
         *
         * @param genotype the child's genotype file (outside its run directory)
         * @param runDir the child's run directory
         * @return the arguments, e.g. {@code [trial, METHOD, --config, C, --genotype, G, --run-dir,
         *     D]}
         */
        List<String> args(Path genotype, Path runDir);
    }

    /** Checks the numbers. */
    public ChildProcesses {
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be at least 1, got " + parallel);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("--retries must be >= 0, got " + retries);
        }
        if (!(pollSeconds > 0)) {
            throw new IllegalArgumentException("--poll must be positive, got " + pollSeconds);
        }
    }

    /**
     * Writes a child's result atomically (what the child process does last).
     *
     * @param runDir the child's run directory
     * @param result its result
     */
    public static void writeResult(Path runDir, Evaluator.Result result) throws IOException {
        JsonObject o = new JsonObject();
        JsonObject m = new JsonObject();
        result.metrics().forEach(m::addProperty);
        o.add("metrics", m);
        o.addProperty("score", result.score());
        AtomicFiles.writeString(runDir.resolve(RESULT_FILE), o + "\n");
    }

    /**
     * Reads a child's result.
     *
     * @param runDir the child's run directory
     * @return its result
     * @throws IOException naming the file when it is missing or malformed
     */
    public static Evaluator.Result readResult(Path runDir) throws IOException {
        Path f = runDir.resolve(RESULT_FILE);
        try {
            JsonObject o = JsonParser.parseString(Files.readString(f)).getAsJsonObject();
            Map<String, Double> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("metrics").entrySet()) {
                m.put(e.getKey(), e.getValue().getAsDouble());
            }
            return new Evaluator.Result(m, o.get("score").getAsDouble());
        } catch (RuntimeException e) {
            throw new IOException(
                    f
                            + ": not a child's result (expected {\"metrics\": {...}, \"score\": x}): "
                            + e,
                    e);
        }
    }
}
