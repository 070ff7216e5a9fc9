package org.dpnas.common.launch;

import java.util.Locale;

/**
 * The state of a trial (and of the job that runs it): the scheduler's states folded into the few
 * that decide what happens next, plus the states only the pool knows ({@link #WAITING}, {@link
 * #LOST}, {@link #INTERRUPTED}) and {@link #UNKNOWN} for a job the scheduler no longer reports.
 */
public enum TrialState {
    /** Not submitted yet (or waiting to be submitted again). */
    WAITING,
    /** Submitted, waiting for resources. */
    PENDING,
    /** Running (or completing, suspended, staging out). */
    RUNNING,
    /** Finished with exit code 0 and its result file. */
    COMPLETED,
    /** Finished with a non-zero exit code, or without its result file. */
    FAILED,
    /** Cancelled by a user ({@code scancel}, {@code dpnas sweep cancel}). */
    CANCELLED,
    /** Killed at its time limit. */
    TIMEOUT,
    /** Killed for exceeding its memory. */
    OUT_OF_MEMORY,
    /** Its node failed. */
    NODE_FAIL,
    /** Preempted by a job of higher priority. */
    PREEMPTED,
    /** Stopped when its submitter was interrupted (Ctrl-C); submitted again on the next run. */
    INTERRUPTED,
    /** Neither the scheduler nor the file system knows what became of it; submitted again. */
    LOST,
    /** The scheduler does not report the job (any more). */
    UNKNOWN;

    /** Whether a job in this state holds or waits for resources. */
    public boolean isActive() {
        return this == PENDING || this == RUNNING;
    }

    /** Whether the trial is over: completed, cancelled, or failed for good. */
    public boolean isFinal() {
        return this == COMPLETED || this == CANCELLED || isFailure();
    }

    /** Whether this is a failure that {@code --retries} may submit again. */
    public boolean isFailure() {
        return this == FAILED
                || this == TIMEOUT
                || this == OUT_OF_MEMORY
                || this == NODE_FAIL
                || this == PREEMPTED;
    }

    /**
     * Maps a Slurm job state as printed by {@code squeue %T}, {@code scontrol JobState=} or {@code
     * sacct State} (e.g. {@code "CANCELLED by 0"}, {@code "CANCELLED+"}) to a trial state.
     *
     * @param slurm the state text
     * @return the state, {@link #UNKNOWN} for text Slurm does not use
     */
    public static TrialState fromSlurm(String slurm) {
        String s = slurm.strip();
        int space = s.indexOf(' ');
        if (space > 0) {
            s = s.substring(0, space);
        }
        s = s.replace("+", "").toUpperCase(Locale.ROOT);
        return switch (s) {
            case "PENDING",
                    "CONFIGURING",
                    "REQUEUED",
                    "REQUEUE_HOLD",
                    "REQUEUE_FED",
                    "RESV_DEL_HOLD",
                    "RESIZING" ->
                    PENDING;
            case "RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "SUSPENDED", "STOPPED" ->
                    RUNNING;
            case "COMPLETED" -> COMPLETED;
            case "FAILED", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT" -> FAILED;
            case "CANCELLED", "REVOKED" -> CANCELLED;
            case "TIMEOUT" -> TIMEOUT;
            case "OUT_OF_MEMORY" -> OUT_OF_MEMORY;
            case "NODE_FAIL" -> NODE_FAIL;
            case "PREEMPTED" -> PREEMPTED;
            default -> UNKNOWN;
        };
    }
}
