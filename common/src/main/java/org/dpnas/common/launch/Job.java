package org.dpnas.common.launch;

import java.nio.file.Path;

/**
 * A submitted trial: the scheduler's job id (Slurm {@code 123_4}, local {@code
 * local:PID:START:SLOT}), the file its output goes to, and the trial script it runs.
 *
 * @param id the job id
 * @param log the job's output file (standard output and error)
 * @param script the trial script ({@link TrialScript}) the job runs
 */
public record Job(String id, Path log, Path script) {}
