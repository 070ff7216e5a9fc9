/**
 * {@code dpnas data}: checking dataset folders ({@code check}) and data throughput ({@code bench}).
 */
package org.dpnas.cli.data;
