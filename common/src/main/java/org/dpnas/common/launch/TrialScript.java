package org.dpnas.common.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.dpnas.common.run.AtomicFiles;

/**
 * The bash script one job runs for one attempt of a trial, and the files it leaves beside itself.
 *
 * <p>The script records when it started ({@code NAME.start}: epoch seconds, host, Slurm job id),
 * continues the run with the trial's resume command when the run directory holds a checkpoint,
 * moves a run that died before its first checkpoint aside ({@code RUN.attemptN}) and starts fresh
 * otherwise, and writes the command's exit code to {@code NAME.exit} (through a rename, so a reader
 * never sees half a number). These files are how a submitter learns what happened to a job the
 * scheduler has forgotten.
 */
public final class TrialScript {

    private TrialScript() {}

    /**
     * Writes {@code jobsDir/ID.aATTEMPT.sh}.
     *
     * @param trial the trial
     * @param attempt the attempt number, from 1
     * @param jobsDir where scripts and their companion files live
     * @param exec a shell fragment that runs {@code dpnas}, e.g. {@code '/opt/dpnas/dpnas'}
     * @param cwd the working directory of the command (relative paths in it resolve here)
     * @return the script
     * @throws IOException if it cannot be written
     */
    public static Path write(TrialCommand trial, int attempt, Path jobsDir, String exec, Path cwd)
            throws IOException {
        Path script = jobsDir.resolve(trial.id() + ".a" + attempt + ".sh").toAbsolutePath();
        String run = quote(trial.runDir().toString());
        StringBuilder sb = new StringBuilder();
        sb.append("#!/usr/bin/env bash\n");
        sb.append("# dpnas trial ").append(trial.id()).append(", attempt ").append(attempt);
        sb.append(" (written by the dpnas trial launcher)\n");
        sb.append(
                        "printf '%s %s %s\\n' \"$(date +%s.%N)\" \"$(hostname)\" \"${SLURM_JOB_ID:-}\" > ")
                .append(quote(startFile(script).toString()))
                .append('\n');
        sb.append("cd ").append(quote(cwd.toAbsolutePath().toString())).append(" || exit 1\n");
        sb.append("if compgen -G ").append(quote(trial.runDir() + "/checkpoints/*/"));
        sb.append(" > /dev/null; then\n");
        sb.append("  ").append(exec).append(words(trial.resumeCommand())).append('\n');
        sb.append("else\n");
        sb.append("  if [ -e ").append(run).append("/config.resolved.json ]; then\n");
        sb.append("    mv ").append(run).append(' ').append(quote(trial.runDir() + ".attempt"));
        sb.append("$(date +%s)\n");
        sb.append("  fi\n");
        sb.append("  ").append(exec).append(words(trial.command())).append('\n');
        sb.append("fi\n");
        sb.append("code=$?\n");
        String exit = quote(exitFile(script).toString());
        String tmp = quote(exitFile(script) + ".tmp");
        sb.append("echo \"$code\" > ").append(tmp).append(" && mv -f ").append(tmp);
        sb.append(' ').append(exit).append('\n');
        sb.append("exit \"$code\"\n");
        AtomicFiles.writeString(script, sb.toString());
        try {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the launchers run the script through bash anyway
        }
        return script;
    }

    /** {@code NAME.exit}: the exit code of the command, written when it ends. */
    public static Path exitFile(Path script) {
        return sibling(script, ".exit");
    }

    /** {@code NAME.start}: start time (epoch seconds), host and Slurm job id. */
    public static Path startFile(Path script) {
        return sibling(script, ".start");
    }

    /** The exit code the script recorded, if it got that far. */
    public static Optional<Integer> exitCode(Path script) {
        try {
            return Optional.of(Integer.parseInt(Files.readString(exitFile(script)).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The epoch second the script started, if it did. */
    public static Optional<Double> startTime(Path script) {
        try {
            String[] f = Files.readString(startFile(script)).strip().split("\\s+");
            return Optional.of(Double.parseDouble(f[0]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Quotes a word for bash (single quotes; a quote inside becomes {@code '\''}). */
    public static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static String words(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            sb.append(' ').append(quote(a));
        }
        return sb.toString();
    }

    private static Path sibling(Path script, String ext) {
        String name = script.getFileName().toString();
        String stem = name.endsWith(".sh") ? name.substring(0, name.length() - 3) : name;
        return script.resolveSibling(stem + ext);
    }
}
