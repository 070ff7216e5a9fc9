/** The {@code dpnas search} verbs, one per search method. */
package org.dpnas.cli.search;
