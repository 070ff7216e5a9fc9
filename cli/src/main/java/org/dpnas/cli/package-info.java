/**
 * The {@code dpnas} command-line framework: verbs ({@link org.dpnas.cli.Command}), verbs with
 * sub-verbs ({@link org.dpnas.cli.CommandGroup}), option declaration ({@link org.dpnas.cli.Opts})
 * and typed reading ({@link org.dpnas.cli.Args}), dispatched by {@link org.dpnas.cli.Main}.
 *
 * <p>Conventions: options are matched by their exact name (no abbreviations); every option's help
 * ends with its default; {@code -h}/{@code --help} works for every verb and group. Errors go to
 * standard error as one line prefixed with the program and verb, for example {@code dpnas train:
 * option '--seed' expects an integer, got 'abc'}.
 *
 * <p>Exit codes: 0 success or help; 2 usage errors (unknown verb or option, bad or missing value,
 * {@link java.lang.IllegalArgumentException} from a command, {@code dpnas} without arguments); 1
 * runtime failures ({@link java.io.IOException}, shown as {@code dpnas VERB: MESSAGE}, and any
 * other exception, shown as {@code dpnas VERB: error: MESSAGE}, with the stack trace when the
 * environment has {@code DPNAS_DEBUG=1}); a {@link org.dpnas.cli.CliException} exits with its own
 * code.
 */
package org.dpnas.cli;
