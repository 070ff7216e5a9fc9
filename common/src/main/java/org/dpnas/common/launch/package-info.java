/**
 * Running trials outside the submitting JVM: one trial is one {@code dpnas} process with its own
 * run directory, started by a {@link org.dpnas.common.launch.TrialLauncher} either in local slots
 * ({@link org.dpnas.common.launch.LocalLauncher}) or as Slurm job arrays ({@link
 * org.dpnas.common.launch.SlurmLauncher}); {@link org.dpnas.common.launch.TrialPool} keeps the
 * trials' states in a directory on the shared file system so a later process re-attaches to them.
 */
package org.dpnas.common.launch;
