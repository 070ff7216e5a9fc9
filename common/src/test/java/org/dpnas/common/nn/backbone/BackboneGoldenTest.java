package org.dpnas.common.nn.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpnas.common.io.SafeTensors;
import org.dpnas.common.io.TorchNames;
import org.dpnas.common.io.WeightFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backbones against torchvision: parameter names and shapes against the state_dicts written by
 * {@code common/src/test/python/gen_backbone_golden.py}, and taps of small models with formula
 * weights against torchvision's float64 outputs.
 */
class BackboneGoldenTest {

    private static final String GOLDEN = "/org/dpnas/common/nn/backbone/golden/";

    /** Every state_dict entry but the head and num_batches_tracked, in torchvision's order. */
    @ParameterizedTest
    @CsvSource({
        "resnet10, 1.0, resnet10",
        "resnet18, 1.0, resnet18",
        "resnet34, 1.0, resnet34",
        "resnet50, 1.0, resnet50",
        "resnet101, 1.0, resnet101",
        "mobilenet_v2, 1.0, mobilenet_v2",
        "mobilenet_v2, 0.25, mobilenet_v2_w0.25"
    })
    void namesAndShapesAreTorchvisions(String arch, float width, String golden) throws Exception {
        Map<String, String> want = new LinkedHashMap<>();
        try (InputStream in = getClass().getResourceAsStream(GOLDEN + golden + ".txt");
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(" ");
                if (line.startsWith("#")
                        || f[0].endsWith(WeightFiles.NUM_BATCHES_TRACKED)
                        || Backbone.HEAD_PREFIXES.stream().anyMatch(f[0]::startsWith)) {
                    continue;
                }
                want.put(f[0], f[1]);
            }
        }
        Backbone b = Backbones.create(arch, 32, width);
        try (NDManager m = NDManager.newBaseManager()) {
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            Map<String, String> got = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : TorchNames.of(b).entrySet()) {
                long[] s = e.getValue().getArray().getShape().getShape();
                StringBuilder sb = new StringBuilder();
                for (long d : s) {
                    sb.append(sb.length() == 0 ? "" : ",").append(d);
                }
                got.put(e.getKey(), sb.toString());
            }
            assertEquals(List.copyOf(want.entrySet()), List.copyOf(got.entrySet()));
        }
    }

    /** Taps equal torchvision's in float64 (golden from torchvision, same formula weights). */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "resnet18_os32",
                "mobilenet_v2_w0.25_os32",
                "mobilenet_v2_w0.25_os8",
                "resnet50_os8"
            })
    void tapsMatchTorchvisionInFloat64(String key) throws Exception {
        String[] parts = key.split("_os");
        int os = Integer.parseInt(parts[1]);
        boolean mobile = parts[0].startsWith("mobilenet_v2");
        Backbone b =
                mobile
                        ? Backbones.create("mobilenet_v2", os, 0.25f)
                        : Backbones.create(parts[0], os, 1f);
        int size = parts[0].equals("resnet50") ? 16 : 32;
        Shape in = new Shape(1, 3, size, size);
        int compared = 0;
        try (NDManager m = NDManager.newBaseManager();
                SafeTensors golden = SafeTensors.open(resource("outputs.safetensors"))) {
            b.initialize(m, DataType.FLOAT64, in);
            FormulaWeights.apply(b);
            NDList taps =
                    b.forward(
                            new ParameterStore(m, false),
                            new NDList(FormulaWeights.input(m, in)),
                            false);
            Shape[] predicted = b.getOutputShapes(new Shape[] {in});
            for (int i = 0; i < taps.size(); i++) {
                assertEquals(predicted[i], taps.get(i).getShape(), "shape of " + i);
                String name = key + "/" + b.tapNames().get(i);
                if (!golden.tensors().containsKey(name)) {
                    continue;
                }
                double[] want = golden.readDoubles(name);
                double[] got = taps.get(i).toDoubleArray();
                assertArrayEquals(
                        golden.info(name).shape(), taps.get(i).getShape().getShape(), name);
                double scale = 0;
                for (double w : want) {
                    scale = Math.max(scale, Math.abs(w));
                }
                // float64 sums in another order: |error| ~ depth × fan-in × 1e-16 ≪ 1e-10
                assertArrayEquals(want, got, 1e-10 * scale, name);
                compared++;
            }
        }
        assertTrue(compared >= 2, "golden taps found for " + key);
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(BackboneGoldenTest.class.getResource(GOLDEN + name).toURI());
    }
}
