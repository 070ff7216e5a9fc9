package org.dpnas.cli.data;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.run.RunDirectory;

/**
 * {@code dpnas data check DATASET --root DIR --split S [--json OUT]}: reads every sample of a split
 * and reports counts per class and every problem with its file; exit 0 when clean, 1 otherwise.
 */
public final class CheckCommand implements Command {

    @Override
    public String name() {
        return "check";
    }

    @Override
    public String summary() {
        return "read every sample of a split; report class counts and every bad file";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.value("root", "DIR", "dataset root directory (not for synthetic)", null),
                Opts.value("split", "S", "split to check", "train"),
                Opts.value(
                        "classes",
                        "A,B,...",
                        "voc-det: the class list every object name must be in (default:"
                                + " ROOT/classes.txt, else the names found in the split)",
                        null),
                Opts.value("json", "OUT", "also write the report as JSON to this file", null));
    }

    @Override
    public List<String> positionals() {
        return List.of("DATASET");
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 1);
        String dataset = Args.positional(cl, 0, "DATASET");
        if (!DataCheck.NAMES.contains(dataset)) {
            throw new CliException(
                    "unknown dataset '"
                            + dataset
                            + "': expected one of "
                            + String.join(", ", DataCheck.NAMES));
        }
        Path root = Args.path(cl, "root", null);
        String split = Args.string(cl, "split", "train");
        Path json = Args.path(cl, "json", null);
        SegDataset synthetic = null;
        if (dataset.equals("synthetic")) {
            synthetic = DataSources.openSeg(dataset, null, split);
        } else if (root == null) {
            throw new CliException("dataset '" + dataset + "' needs --root DIR");
        } else if (!Files.isDirectory(root)) {
            throw new CliException("--root " + root + ": no such directory");
        }
        String classes = Args.string(cl, "classes", null);
        if (classes != null && !dataset.equals("voc-det")) {
            throw new CliException("--classes is for voc-det");
        }
        CheckReport report =
                DataCheck.check(
                        dataset,
                        root,
                        split,
                        synthetic,
                        classes == null ? null : List.of(classes.split("\\s*,\\s*")));
        report.print(out);
        if (json != null) {
            RunDirectory.writeJson(json, report.toJson());
        }
        return report.clean() ? 0 : 1;
    }
}
