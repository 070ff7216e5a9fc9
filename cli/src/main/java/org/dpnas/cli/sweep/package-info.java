/**
 * {@code dpnas sweep}: runs a grid or list of {@code train}/{@code search} variants as trials
 * through a {@link org.dpnas.common.launch.TrialLauncher} (local slots or Slurm), and reports on
 * them ({@code status}, {@code report}, {@code cancel}).
 */
package org.dpnas.cli.sweep;
