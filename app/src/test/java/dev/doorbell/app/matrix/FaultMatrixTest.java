package dev.doorbell.app.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * {@code doorbell fault-matrix} with every fault and the baseline, short boots and one seed, over real parts: a real
 * uplink JVM per row (from this class path), the device bench with the owner's identity over TLS, the owner's {@code
 * open}. Each cell of matrix.json is held to docs/FIRMWARE.md §6 ({@link MatrixExpectations}, which {@code
 * FaultMatrixDocTest} holds to the docs), and each detection added for the matrix is named by what it printed.
 */
class FaultMatrixTest {
    @TempDir
    static Path dir;

    static int exit;
    static String stdout;
    static Map<String, Map<String, Object>> cellsByRowAndLayer;
    static Map<String, Object> json;

    @BeforeAll
    static void runTheMatrix() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        exit = cli.execute(
                "fault-matrix",
                "--seed",
                "7",
                "--boot",
                "3s",
                "--out",
                dir.resolve("matrix").toString());
        stdout = out + "\n" + err;
        json = new Yaml().load(Files.readString(dir.resolve("matrix/matrix.json")));
        cellsByRowAndLayer = new java.util.HashMap<>();
        for (Object r : (List<?>) json.get("rows")) {
            Map<?, ?> row = (Map<?, ?>) r;
            for (Object c : (List<?>) row.get("cells")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> cell = (Map<String, Object>) c;
                cellsByRowAndLayer.put(row.get("fault") + "/" + cell.get("layer"), cell);
            }
        }
    }

    @Test
    void everyRow_ranWithEveryLayer() {
        List<String> faults = ((List<?>) json.get("rows"))
                .stream().map(r -> (String) ((Map<?, ?>) r).get("fault")).toList();
        assertEquals(MatrixExpectations.allRows(), faults, stdout);
        for (String fault : faults) {
            for (Layer layer : Layer.values()) {
                assertTrue(
                        cellsByRowAndLayer.containsKey(fault + "/" + layer.id()),
                        fault + "/" + layer.id() + "\n" + stdout);
            }
        }
    }

    @Test
    void everyCell_asDocsFirmwareMdStates() {
        StringBuilder wrong = new StringBuilder();
        for (String fault : MatrixExpectations.allRows()) {
            Set<Layer> expected = MatrixExpectations.expected(fault).orElseThrow();
            for (Layer layer : Layer.values()) {
                Map<String, Object> cell = cellsByRowAndLayer.get(fault + "/" + layer.id());
                boolean caught = Boolean.TRUE.equals(cell.get("caught"));
                if (caught != expected.contains(layer)) {
                    wrong.append(fault)
                            .append(' ')
                            .append(layer.id())
                            .append(": ")
                            .append(caught ? "caught" : "not caught")
                            .append(", the docs say ")
                            .append(expected.contains(layer) ? "caught" : "not caught")
                            .append(" (")
                            .append(cell.get("evidence"))
                            .append(")\n");
                }
            }
        }
        assertEquals("", wrong.toString(), stdout);
        assertEquals(0, exit, stdout);
        assertEquals(Boolean.TRUE, json.get("matched"));
        assertTrue(stdout.contains("fault matrix: 10 rows, every cell as docs/FIRMWARE.md states"), stdout);
    }

    @Test
    void baseline_nobodyFlagsTheDeviceAsItShips() {
        for (Layer layer : Layer.values()) {
            Map<String, Object> cell = cellsByRowAndLayer.get("none/" + layer.id());
            assertFalse(Boolean.TRUE.equals(cell.get("caught")), layer + ": " + cell.get("evidence"));
        }
    }

    @Test
    void clipKeyReuse_theOwnerAndTheBenchCompareUnwrappedKeys() {
        assertTrue(evidence("clip-key-reuse", Layer.OWNER).contains("KEY REUSED by "), stdout);
        assertTrue(evidence("clip-key-reuse", Layer.BENCH).contains("has the clip key of clip"), stdout);
    }

    @Test
    void clockBackwards_theOwnerAndTheBenchCompareSealedStartTimes() {
        assertTrue(evidence("clock-backwards", Layer.OWNER).contains("CLOCK BACKWARDS at position 2"), stdout);
        assertTrue(evidence("clock-backwards", Layer.OWNER).startsWith("exit 0: "), stdout);
        assertTrue(evidence("clock-backwards", Layer.BENCH).contains("(the device's clock went back)"), stdout);
    }

    @Test
    void counterReset_theDevicesOwnLinkRefusesTheSeqGoingBack_theUplinkNeverSeesIt() {
        assertTrue(evidence("counter-reset", Layer.DEVICE).contains("its link raised"), stdout);
        assertEquals("no misuse flag, no Error sent", evidence("counter-reset", Layer.UPLINK));
    }

    @Test
    void stuckRng_theUplinkCountsItsFlags() {
        String uplink = evidence("stuck-rng", Layer.UPLINK);
        assertTrue(uplink.contains("flag nonce_prefix_reused"), uplink);
        assertTrue(uplink.contains("flag encapsulation_reused"), uplink);
    }

    @Test
    void outputs_tableJsonAndSelfContainedHtml() throws Exception {
        assertTrue(
                stdout.contains("fault                device    uplink    bench     owner     as documented"), stdout);
        String html = Files.readString(dir.resolve("matrix/matrix.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>"), html);
        assertTrue(html.contains("Every cell is as docs/FIRMWARE.md states."), html);
        // Offline: no script and nothing fetched from elsewhere.
        assertFalse(html.contains("<script") || html.contains("http://") || html.contains("https://"), html);
        assertEquals(1, ((Number) json.get("schema")).intValue());
        Set<String> layers = ((List<?>) json.get("layers"))
                .stream().map(l -> (String) ((Map<?, ?>) l).get("id")).collect(Collectors.toSet());
        assertEquals(Set.of("device", "uplink", "bench", "owner"), layers);
    }

    private static String evidence(String fault, Layer layer) {
        return (String) cellsByRowAndLayer.get(fault + "/" + layer.id()).get("evidence");
    }
}
