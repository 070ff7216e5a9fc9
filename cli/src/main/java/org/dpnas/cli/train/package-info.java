/** The {@code dpnas train} verb and the segmentation training job. */
package org.dpnas.cli.train;
