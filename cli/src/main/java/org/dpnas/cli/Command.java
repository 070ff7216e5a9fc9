package org.dpnas.cli;

import java.io.PrintStream;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * One verb of the {@code dpnas} command, such as {@code train}, with its options and its action.
 *
 * <p>{@link Main} parses the verb's arguments against {@link #options()} (exact option names only,
 * no abbreviations), answers {@code --help}/{@code -h} itself, and maps exceptions thrown by {@link
 * #run} to messages and exit codes (see the package documentation). Declare options with {@link
 * Opts} so every description ends with its default, and read them with {@link Args} so bad values
 * produce uniform messages.
 */
public interface Command {

    /**
     * Returns the verb as typed on the command line: lower case letters, digits and dashes.
     *
     * @return the verb, for example {@code "train"}
     */
    String name();

    /**
     * Returns a one-line description shown in {@code dpnas --help}.
     *
     * @return the summary, without a trailing newline
     */
    String summary();

    /**
     * Returns the verb's options; {@code -h}/{@code --help} is added by the framework and must not
     * be declared here.
     *
     * @return a fresh or shared, not modified afterwards, set of options
     */
    Options options();

    /**
     * Returns the names of the positional arguments for the usage line, for example {@code
     * ["CONFIG"]} or {@code ["RUN_DIR..."]}.
     *
     * @return the usage hint; none by default
     */
    default List<String> positionals() {
        return List.of();
    }

    /**
     * Runs the verb.
     *
     * @param cl the parsed command line; {@link CommandLine#getArgList()} holds the positionals
     * @param out standard output
     * @param err standard error, for diagnostics
     * @return the process exit code, 0 for success
     * @throws Exception on failure; {@link CliException} for user errors with a chosen exit code
     */
    int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception;
}
