package org.dpnas.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.train.Checkpointer;

/**
 * The checkpoint a verb reads from a finished or running run ({@code --run}, {@code --checkpoint}).
 */
public final class RunCheckpoints {

    private RunCheckpoints() {}

    /**
     * The given checkpoint directory, or the run's newest one when none is given; either must hold
     * {@code model.params}.
     *
     * @param run the run directory
     * @param checkpoint the {@code --checkpoint} directory, or null for the newest
     * @return the checkpoint directory
     * @throws CliException naming the run or the checkpoint when there is nothing to read
     */
    public static Path resolve(RunDirectory run, Path checkpoint) throws java.io.IOException {
        Path dir = checkpoint;
        if (dir == null) {
            dir =
                    new Checkpointer(run.checkpoints(), 1)
                            .latest()
                            .orElseThrow(
                                    () ->
                                            new CliException(
                                                    "--run "
                                                            + run.root()
                                                            + ": no checkpoint in "
                                                            + run.checkpoints()));
        }
        if (!Files.exists(dir.resolve("model.params"))) {
            throw new CliException("--checkpoint " + dir + ": no model.params in it");
        }
        return dir;
    }
}
