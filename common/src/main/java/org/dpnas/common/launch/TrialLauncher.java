package org.dpnas.common.launch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Starts trial scripts ({@link TrialScript}) somewhere and reports on them: the one contract behind
 * local slots and Slurm job arrays. Submission is asynchronous: {@link #submit} returns job ids at
 * once, {@link #poll} tells their states later, and the job ids are plain text so that a different
 * process (a re-attached submitter) can poll and cancel them.
 */
public interface TrialLauncher {

    /**
     * The back-end's name as the user types it.
     *
     * @return {@code "local"} or {@code "slurm"}
     */
    String backend();

    /**
     * How many trials may be active at once from the caller's side; the caller submits no more.
     *
     * @return the number of local slots, or {@link Integer#MAX_VALUE} when the scheduler throttles
     */
    int capacity();

    /**
     * Starts the scripts.
     *
     * @param scripts trial scripts, in order
     * @param jobsDir a directory on the shared file system for the launcher's own files and logs
     * @param jobName the job name the scheduler shows
     * @return one job per script, in the same order
     * @throws IOException if submission fails (then none was submitted)
     */
    List<Job> submit(List<Path> scripts, Path jobsDir, String jobName) throws IOException;

    /**
     * Reports the state of jobs; jobs the back-end does not know get {@link JobStatus#UNKNOWN}.
     *
     * @param jobs jobs returned by {@link #submit}, possibly by another process
     * @return job id to status, for every given job
     * @throws IOException if the scheduler cannot be asked at all
     */
    Map<String, JobStatus> poll(Collection<Job> jobs) throws IOException;

    /**
     * Finds the jobs of scripts whose submission was not recorded (the submitter died between
     * submitting and saving), so they are watched instead of submitted a second time.
     *
     * @param scripts the scripts of the unrecorded submission
     * @param jobsDir the directory given to {@link #submit}
     * @return script to its job, for the scripts the back-end knows; empty when it cannot tell
     * @throws IOException if the scheduler cannot be asked
     */
    default Map<Path, Job> find(List<Path> scripts, Path jobsDir) throws IOException {
        return Map.of();
    }

    /**
     * Cancels jobs (those already finished are ignored).
     *
     * @param jobs the jobs
     * @throws IOException if the scheduler refuses
     */
    void cancel(Collection<Job> jobs) throws IOException;
}
