/** {@code dpnas predict}: one image through a trained network loaded as a DJL model. */
package org.dpnas.cli.predict;
