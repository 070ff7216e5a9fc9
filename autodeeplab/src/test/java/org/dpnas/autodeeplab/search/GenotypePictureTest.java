package org.dpnas.autodeeplab.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class GenotypePictureTest {

    private static AutoDeepLabGenotype golden() throws Exception {
        return AutoDeepLabGenotype.read(
                Path.of(GenotypePictureTest.class.getResource("/golden/genotype.json").toURI()));
    }

    @Test
    void theSvgIsWellFormedAndShowsEveryEdgeAndThePath() throws Exception {
        AutoDeepLabGenotype g = golden();
        String svg = GenotypePicture.svg(g, "epoch 3 <final> & best");
        // well-formed XML (the title's < > & are escaped)
        Document doc =
                DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        // one line per block in words, e.g. "block 0 =" then both edges
        for (int i = 0; i < g.blocks(); i++) {
            assertTrue(svg.contains(">block " + i + " =<"), "block " + i);
        }
        assertTrue(svg.contains(">sep_conv_3x3(H(l-1))<"), svg);
        assertTrue(svg.contains(">+ skip_connect(H(l-2))<"), svg);
        assertTrue(svg.contains(">+ sep_conv_3x3(block 0)<"), svg);
        // one path marker per layer, and the path in words
        Matcher m = Pattern.compile("<circle ").matcher(svg);
        int circles = 0;
        while (m.find()) {
            circles++;
        }
        assertEquals(g.layers(), circles);
        assertTrue(svg.contains("path [0, 0, 0, 1, 2, 1, 2, 2, 3, 3, 2, 1]"));
    }
}
