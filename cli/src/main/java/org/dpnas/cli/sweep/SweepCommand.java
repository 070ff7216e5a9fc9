package org.dpnas.cli.sweep;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Main;
import org.dpnas.cli.Opts;
import org.dpnas.common.launch.LocalLauncher;
import org.dpnas.common.launch.Shell;
import org.dpnas.common.launch.SlurmLauncher;
import org.dpnas.common.launch.SlurmSettings;
import org.dpnas.common.launch.TrialLauncher;
import org.dpnas.common.launch.TrialPool;
import org.dpnas.common.launch.TrialRecord;
import org.dpnas.common.launch.TrialScript;
import org.dpnas.common.launch.TrialState;
import org.dpnas.common.run.AtomicFiles;

/**
 * {@code dpnas sweep SPEC.json}: runs the trials of a sweep spec locally or as Slurm job arrays and
 * waits for them; {@code dpnas sweep status|report|cancel DIR} looks at or stops a sweep ({@code
 * report} of a comparison of searches adds best-so-far curves, {@link SweepCurves}). Rerunning the
 * same command on the same directory re-attaches: finished trials are kept, running jobs are
 * polled, lost trials are submitted again.
 */
public final class SweepCommand implements Command {

    private static final List<String> ACTIONS = List.of("status", "report", "cancel");

    @Override
    public String name() {
        return "sweep";
    }

    @Override
    public String summary() {
        return "run a grid of train/search trials locally or on Slurm; status, report, cancel";
    }

    @Override
    public List<String> positionals() {
        return List.of("SPEC.json | status DIR | report DIR | cancel DIR");
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.value(
                        "backend",
                        "B",
                        "where trials run: local (processes), slurm (job arrays) or inprocess (one"
                                + " after another in this process)",
                        "local"),
                Opts.value(
                        "work-dir",
                        "DIR",
                        "the sweep directory (rerun to re-attach)",
                        "sweeps/NAME"),
                Opts.value(
                        "slots",
                        "N",
                        "trials at once: local processes, or the Slurm array throttle %N (0: no"
                                + " throttle); the spec's 'slots' when not given",
                        "1 local, 0 slurm"),
                Opts.value(
                        "devices",
                        "LIST",
                        "local: one CUDA_VISIBLE_DEVICES value per slot, e.g. 0,1",
                        "none"),
                Opts.value("retries", "N", "submit a failed trial again up to N times", "0"),
                Opts.value("poll", "SECONDS", "seconds between two looks at the jobs", "5"),
                Opts.flag(
                        "detach",
                        "submit and return without waiting (rerun the command, or status, to look)"),
                Opts.value(
                        "exec",
                        "SHELL",
                        "shell words that run dpnas inside a job",
                        "DPNAS_HOME/dpnas"),
                Opts.value("json", "OUT", "status: also write the rows as JSON", "none"),
                Opts.value("metric", "KEY", "status/report: the result key to show", "the spec's"),
                Opts.flag(
                        "curves",
                        "report: best-so-far curves of a sweep of searches from each trial's"
                                + " search/history.jsonl (on by itself for a spec with 'variants')"));
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        String first = Args.positional(cl, 0, "SPEC.json");
        if (ACTIONS.contains(first)) {
            Args.atMostPositionals(cl, 2);
            Path dir = Args.positionalPath(cl, 1, "DIR");
            if (!Files.isDirectory(dir)) {
                throw new CliException(dir + ": no such sweep directory");
            }
            return switch (first) {
                case "status" -> SweepReport.status(dir, cl, out, err);
                case "report" -> SweepReport.report(dir, cl, out, err);
                default -> cancel(dir, out, err);
            };
        }
        Args.atMostPositionals(cl, 1);
        return sweep(Args.positionalPath(cl, 0, "SPEC.json"), cl, out, err);
    }

    private int sweep(Path specFile, CommandLine cl, PrintStream out, PrintStream err)
            throws Exception {
        SweepSpec spec = SweepSpec.read(specFile);
        String backend = Args.string(cl, "backend", "local");
        int slots = Args.intValue(cl, "slots", spec.slots());
        int retries = Args.intValue(cl, "retries", 0);
        double poll = Args.doubleValue(cl, "poll", 5);
        if (poll <= 0) {
            throw new CliException("option '--poll' must be positive, got " + poll);
        }
        Path dir = Args.path(cl, "work-dir", Path.of("sweeps", spec.name()));
        dir = dir.toAbsolutePath().normalize();
        List<SweepSpec.Planned> plan = spec.plan(dir);
        TrialLauncher launcher;
        String exec;
        if (backend.equals("inprocess")) {
            launcher =
                    new InProcessLauncher(
                            plan.stream().map(SweepSpec.Planned::trial).toList(), Main::run);
            exec = Args.string(cl, "exec", "dpnas");
        } else {
            launcher = launcher(backend, slots, spec.slurm(), devices(cl));
            exec = exec(cl);
        }
        SweepDir.claim(dir, specFile, spec, plan);
        try (TrialPool pool =
                TrialPool.attach(dir, launcher, exec, retries, "dpnas-" + spec.name())) {
            int known = pool.records().size();
            for (SweepSpec.Planned p : plan) {
                pool.add(p.trial());
            }
            err.printf(
                    "sweep %s: %d trials, backend %s, directory %s%s%n",
                    spec.name(),
                    plan.size(),
                    launcher.backend(),
                    dir,
                    known > 0 ? " (re-attached)" : "");
            Files.deleteIfExists(dir.resolve(SweepDir.CANCEL_REQUEST));
            Thread hook = null;
            if (!Args.flag(cl, "detach")) {
                hook = new Thread(() -> interrupt(pool, err), "dpnas-sweep-interrupt");
                Runtime.getRuntime().addShutdownHook(hook);
            }
            try {
                return loop(pool, dir, spec, Args.flag(cl, "detach"), poll, out, err);
            } finally {
                if (hook != null) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException e) {
                        // shutting down: the hook runs
                    }
                }
            }
        }
    }

    private static int loop(
            TrialPool pool,
            Path dir,
            SweepSpec spec,
            boolean detach,
            double poll,
            PrintStream out,
            PrintStream err)
            throws Exception {
        Map<String, String> shown = new HashMap<>();
        while (true) {
            if (Files.exists(dir.resolve(SweepDir.CANCEL_REQUEST))) {
                List<TrialRecord> c =
                        pool.cancelAll(TrialState.CANCELLED, "cancelled by dpnas sweep cancel");
                Files.deleteIfExists(dir.resolve(SweepDir.CANCEL_REQUEST));
                err.println("cancel requested: cancelled " + c.size() + " jobs");
                break;
            }
            pool.step();
            for (TrialRecord r : pool.records()) {
                String now = r.state() + " " + (r.job() == null ? "" : r.job().id());
                if (!now.equals(shown.put(r.id(), now))) {
                    err.println(progressLine(r));
                }
            }
            if (pool.finished() || detach) {
                break;
            }
            Thread.sleep(Math.round(poll * 1000));
        }
        if (detach) {
            err.println(
                    "detached: the jobs keep running; 'dpnas sweep status "
                            + dir
                            + "' shows them, rerunning the command re-attaches");
            return 0;
        }
        SweepReport.printTable(SweepDir.rows(dir, spec.metric()), spec.metric(), dir, out);
        long done = pool.records().stream().filter(r -> r.state() == TrialState.COMPLETED).count();
        int n = pool.records().size();
        out.printf("%d of %d trials completed — %s%n", done, n, dir);
        return done == n ? 0 : 1;
    }

    private static String progressLine(TrialRecord r) {
        StringBuilder sb = new StringBuilder(String.format("  %-6s %-13s", r.id(), r.state()));
        if (r.job() != null) {
            sb.append(" job ").append(r.job().id());
        }
        if (r.state().isFailure() || r.state() == TrialState.CANCELLED) {
            sb.append("\n").append(indent(r.message()));
        } else if (r.state() == TrialState.WAITING && !r.message().isEmpty()) {
            sb.append("\n").append(indent(r.message()));
        }
        return sb.toString();
    }

    static String indent(String text) {
        return "      " + text.replace("\n", "\n      ");
    }

    private static void interrupt(TrialPool pool, PrintStream err) {
        try {
            List<TrialRecord> c =
                    pool.cancelAll(
                            TrialState.INTERRUPTED,
                            "interrupted: its job was cancelled when the submitter stopped; the"
                                    + " next run of the sweep submits it again");
            err.println(
                    "\ninterrupted: cancelled "
                            + c.size()
                            + " running or pending jobs; rerun the command to continue");
        } catch (IOException | RuntimeException e) {
            err.println("\ninterrupted: could not cancel the jobs: " + e.getMessage());
        }
    }

    private int cancel(Path dir, PrintStream out, PrintStream err) throws Exception {
        String backend = TrialPool.backendOf(dir);
        TrialLauncher launcher = launcher(backend, 1, SlurmSettings.defaults(), List.of());
        TrialPool pool;
        try {
            pool = TrialPool.attach(dir, launcher, "", 0, "");
        } catch (IOException e) {
            if (!e.getMessage().contains("in use")) {
                throw e;
            }
            // a submitter is attached: ask it, and wait until it has done so
            AtomicFiles.writeString(dir.resolve(SweepDir.CANCEL_REQUEST), "cancel\n");
            err.println("asked the attached submitter to cancel the sweep ...");
            for (int i = 0; i < 600; i++) {
                if (!Files.exists(dir.resolve(SweepDir.CANCEL_REQUEST))) {
                    out.println("cancelled — " + dir);
                    return 0;
                }
                Thread.sleep(100);
            }
            throw new CliException(
                    "the submitter attached to " + dir + " did not answer within 60 s", 1);
        }
        try (pool) {
            pool.refresh();
            List<TrialRecord> c =
                    pool.cancelAll(TrialState.CANCELLED, "cancelled by dpnas sweep cancel");
            for (TrialRecord r : c) {
                out.println("cancelled " + r.id() + " (job " + r.job().id() + ")");
            }
            out.println("cancelled " + c.size() + " jobs — " + dir);
        }
        return 0;
    }

    /** The launcher for a back-end name. */
    static TrialLauncher launcher(
            String backend, int slots, SlurmSettings slurm, List<String> devices) {
        return switch (backend) {
            case "local" -> new LocalLauncher(slots == 0 ? 1 : slots, devices);
            case "slurm" -> new SlurmLauncher(slurm.withThrottle(slots), Shell.system());
            case "inprocess" -> new InProcessLauncher(List.of(), null);
            default ->
                    throw new CliException(
                            "option '--backend' expects local, slurm or inprocess, got '"
                                    + backend
                                    + "'");
        };
    }

    private static List<String> devices(CommandLine cl) {
        String raw = Args.string(cl, "devices", null);
        if (raw == null || raw.isBlank()) {
            return List.of();
        }
        List<String> d = new ArrayList<>();
        for (String s : raw.split(",")) {
            d.add(s.strip());
        }
        return d;
    }

    private static String exec(CommandLine cl) {
        String e = Args.string(cl, "exec", null);
        if (e != null) {
            return e;
        }
        String home = System.getProperty("dpnas.home");
        if (home == null) {
            throw new CliException(
                    "cannot tell where the dpnas command is (no -Ddpnas.home); give --exec");
        }
        return TrialScript.quote(Path.of(home).toAbsolutePath().resolve("dpnas").toString());
    }
}
