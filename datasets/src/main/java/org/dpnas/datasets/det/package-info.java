/**
 * Object-detection samples and loaders for real datasets in their official layouts (PASCAL VOC
 * style and COCO), reporting layout and data problems with messages naming the file.
 */
package org.dpnas.datasets.det;
