/**
 * dpnas inside DJL's conventions: segmentation and detection datasets as DJL {@link
 * ai.djl.training.dataset.RandomAccessDataset}s ({@link org.dpnas.datasets.djl.SegRecords}, {@link
 * org.dpnas.datasets.djl.DetRecords}), and trained networks as DJL model directories ({@link
 * org.dpnas.datasets.djl.ModelDir}) that {@code Criteria.builder().optModelPath(DIR)} loads through
 * DJL's own provider mechanism: the directory's {@code serving.properties} names the engine, a
 * {@link ai.djl.nn.BlockFactory} ({@link org.dpnas.datasets.djl.DpnasBlockFactory}) that rebuilds
 * the network from the genotype or model section through the method registry, and a {@link
 * ai.djl.translate.TranslatorFactory} ({@link org.dpnas.datasets.djl.DpnasTranslatorFactory}).
 *
 * <p>Where DJL's {@code basicdataset} does not fit: its {@code ImageDataset} decodes every image
 * through DJL's {@code Image} and resizes with {@code NDImageUtils} on the engine, one sample at a
 * time, while the suite's own training reads label maps as raw samples (palette indices kept, never
 * through RGB), augments image and mask jointly on the host, and assembles whole batches on loader
 * threads; so the adapters here wrap the suite's datasets (same bytes, same normalisation) rather
 * than re-reading files through {@code basicdataset}, and the suite's training loop keeps its own
 * batcher. {@link org.dpnas.datasets.djl.DetRecords} does extend {@code basicdataset}'s {@code
 * ObjectDetectionDataset}, whose label convention (class, x, y, w, h normalised to the image) it
 * follows.
 */
package org.dpnas.datasets.djl;
