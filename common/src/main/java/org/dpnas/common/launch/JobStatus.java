package org.dpnas.common.launch;

/**
 * What a scheduler reports about one job.
 *
 * @param state the folded state ({@link TrialState#UNKNOWN} when the scheduler does not know it)
 * @param raw the scheduler's own word for it, e.g. {@code "CANCELLED by 0"}, or {@code ""}
 * @param exitCode the exit code as the scheduler prints it ({@code "0:15"}), or {@code ""}
 * @param reason the scheduler's reason ({@code "JobArrayTaskLimit"}), or {@code ""}
 */
public record JobStatus(TrialState state, String raw, String exitCode, String reason) {

    /** The status of a job the scheduler does not report. */
    public static final JobStatus UNKNOWN = new JobStatus(TrialState.UNKNOWN, "", "", "");

    /** A status from a Slurm state word. */
    public static JobStatus ofSlurm(String raw, String exitCode, String reason) {
        return new JobStatus(TrialState.fromSlurm(raw), raw.strip(), exitCode, reason);
    }
}
