/** Run directories: resolved config, provenance, metric logs, checkpoints and plots. */
package org.dpnas.common.run;
