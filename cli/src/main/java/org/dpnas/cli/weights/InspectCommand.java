package org.dpnas.cli.weights;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.common.io.SafeTensors;
import org.dpnas.common.io.SafeTensorsException;
import org.dpnas.common.io.TensorInfo;

/**
 * {@code dpnas weights inspect F}: lists a safetensors file's tensors (name, dtype, shape), its
 * metadata and the total number of values, after validating the whole header.
 */
public final class InspectCommand implements Command {

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "list a safetensors file's tensors, dtypes, shapes and total parameters";
    }

    @Override
    public Options options() {
        return Opts.of();
    }

    @Override
    public List<String> positionals() {
        return List.of("FILE");
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 1);
        Path file = Args.positionalPath(cl, 0, "FILE");
        try (SafeTensors st = SafeTensors.open(file)) {
            int width = 4;
            for (String n : st.tensors().keySet()) {
                width = Math.max(width, n.length());
            }
            long total = 0;
            out.printf(Locale.ROOT, "%-" + width + "s  %-5s  %s%n", "name", "dtype", "shape");
            for (TensorInfo t : st.tensors().values()) {
                out.printf(
                        Locale.ROOT,
                        "%-" + width + "s  %-5s  %s%n",
                        t.name(),
                        t.dtype(),
                        t.shapeText());
                total += t.size();
            }
            for (Map.Entry<String, String> m : st.metadata().entrySet()) {
                out.printf(Locale.ROOT, "metadata %s = %s%n", m.getKey(), m.getValue());
            }
            out.printf(
                    Locale.ROOT,
                    "%d tensors, %,d parameters in total%n",
                    st.tensors().size(),
                    total);
        } catch (SafeTensorsException e) {
            throw new CliException(e.getMessage(), 1);
        }
        return 0;
    }
}
