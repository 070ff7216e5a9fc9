/** The {@code dpnas bench} verbs: benchmarks that print numbers. */
package org.dpnas.cli.bench;
