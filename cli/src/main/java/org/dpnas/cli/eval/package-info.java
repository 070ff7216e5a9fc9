/** The {@code dpnas eval} verbs: a trained model, label PNG folders, COCO detection files. */
package org.dpnas.cli.eval;
