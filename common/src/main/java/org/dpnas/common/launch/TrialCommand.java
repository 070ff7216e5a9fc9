package org.dpnas.common.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One trial as the launcher sees it: a {@code dpnas} command line that writes one run directory,
 * the command that continues that run after an interruption, and the result file the launcher reads
 * when the job is done.
 *
 * @param id a short unique name within its pool, letters, digits, {@code -} and {@code _}
 * @param command the {@code dpnas} arguments of a fresh run, e.g. {@code [train, --work-dir, D]}
 * @param resumeCommand the arguments that continue the run from its last checkpoint
 * @param runDir the run directory the command writes
 * @param resultFile the file (relative to {@code runDir}) that marks success, e.g. {@code
 *     final_metrics.json}
 */
public record TrialCommand(
        String id,
        List<String> command,
        List<String> resumeCommand,
        Path runDir,
        String resultFile) {

    /** Checks the fields and copies the lists. */
    public TrialCommand {
        Objects.requireNonNull(id, "id");
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_-]*")) {
            throw new IllegalArgumentException(
                    "trial id must be letters, digits, '-' and '_', got '" + id + "'");
        }
        command = List.copyOf(command);
        resumeCommand = List.copyOf(resumeCommand);
        runDir = runDir.toAbsolutePath().normalize();
        Objects.requireNonNull(resultFile, "resultFile");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("trial " + id + ": empty command");
        }
    }

    /** The result file's absolute path. */
    public Path result() {
        return runDir.resolve(resultFile);
    }
}
