/**
 * Evaluation of searched and trained models: streaming segmentation metrics now ({@link
 * org.dpnas.eval.seg}), COCO-style detection AP and model cost later.
 */
package org.dpnas.eval;
