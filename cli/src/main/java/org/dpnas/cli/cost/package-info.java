/** {@code dpnas cost}: parameters, multiply-adds and measured latency of a model. */
package org.dpnas.cli.cost;
