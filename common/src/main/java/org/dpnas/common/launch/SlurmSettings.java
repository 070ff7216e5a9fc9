package org.dpnas.common.launch;

import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.config.Config;

/**
 * The resources and options every job of a Slurm submission asks for; {@code null} (or 0) leaves an
 * option to the cluster's defaults.
 *
 * @param partition {@code --partition}
 * @param time {@code --time}, e.g. {@code 01:00:00}
 * @param cpusPerTask {@code --cpus-per-task}, 0 for the default
 * @param mem {@code --mem}, e.g. {@code 8G}
 * @param gres {@code --gres}, e.g. {@code gpu:1}
 * @param account {@code --account}
 * @param extraArgs further {@code sbatch} arguments, as they are
 * @param throttle at most this many tasks of one array run at once ({@code --array=0-K%M}), 0 for
 *     no limit
 */
public record SlurmSettings(
        String partition,
        String time,
        int cpusPerTask,
        String mem,
        String gres,
        String account,
        List<String> extraArgs,
        int throttle) {

    /** Checks the numbers and copies the list. */
    public SlurmSettings {
        if (cpusPerTask < 0) {
            throw new IllegalArgumentException(
                    "slurm.cpus_per_task must be >= 0, got " + cpusPerTask);
        }
        if (throttle < 0) {
            throw new IllegalArgumentException("the array throttle must be >= 0, got " + throttle);
        }
        extraArgs = List.copyOf(extraArgs == null ? List.of() : extraArgs);
    }

    /** No resources asked for: the cluster's defaults. */
    public static SlurmSettings defaults() {
        return new SlurmSettings(null, null, 0, null, null, null, List.of(), 0);
    }

    /**
     * Reads settings from a configuration section with the keys {@code partition}, {@code time},
     * {@code cpus_per_task}, {@code mem}, {@code gres}, {@code account} (null or {@code ""}: the
     * cluster's default) and {@code extra_args}; no throttle.
     *
     * @param c the section, e.g. {@code trials.slurm}
     * @return the settings
     */
    public static SlurmSettings fromConfig(Config c) {
        return new SlurmSettings(
                text(c, "partition"),
                text(c, "time"),
                c.getInt("cpus_per_task"),
                text(c, "mem"),
                text(c, "gres"),
                text(c, "account"),
                c.getStringList("extra_args"),
                0);
    }

    private static String text(Config c, String key) {
        return c.isNull(key) ? null : c.getString(key);
    }

    /** The same settings with another throttle. */
    public SlurmSettings withThrottle(int m) {
        return new SlurmSettings(partition, time, cpusPerTask, mem, gres, account, extraArgs, m);
    }

    /** The resource options for {@code sbatch}, in a fixed order. */
    public List<String> sbatchOptions() {
        List<String> a = new ArrayList<>();
        add(a, "--partition", partition);
        add(a, "--time", time);
        if (cpusPerTask > 0) {
            a.add("--cpus-per-task=" + cpusPerTask);
        }
        add(a, "--mem", mem);
        add(a, "--gres", gres);
        add(a, "--account", account);
        a.addAll(extraArgs);
        return a;
    }

    private static void add(List<String> a, String option, String value) {
        if (value != null && !value.isBlank()) {
            a.add(option + "=" + value);
        }
    }
}
