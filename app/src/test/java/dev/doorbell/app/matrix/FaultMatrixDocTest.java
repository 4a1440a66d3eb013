package dev.doorbell.app.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The matrix {@code fault-matrix} checks against is the one docs/FIRMWARE.md §6 states: every row, every cell, and a
 * reason for each row that no layer catches.
 */
class FaultMatrixDocTest {
    private static final Path FIRMWARE_MD =
            Path.of("..").toAbsolutePath().normalize().resolve("docs/FIRMWARE.md");

    @Test
    void docsTable_isTheExpectedMatrix() throws Exception {
        Map<String, Set<Layer>> documented = new LinkedHashMap<>();
        Map<String, String> why = new LinkedHashMap<>();
        for (List<String> row : tableRows()) {
            String fault = row.get(0).replace("`", "").strip();
            Set<Layer> caught = EnumSet.noneOf(Layer.class);
            for (Layer layer : Layer.values()) {
                String cell = row.get(1 + layer.ordinal()).strip();
                if (cell.startsWith("**caught**")) {
                    caught.add(layer);
                } else {
                    assertEquals("–", cell, fault + " " + layer.id() + ": a cell is **caught** or –");
                }
            }
            documented.put(fault, caught);
            why.put(fault, row.get(1 + Layer.values().length).strip());
        }
        assertEquals(MatrixExpectations.allRows(), List.copyOf(documented.keySet()));
        for (String fault : MatrixExpectations.allRows()) {
            assertEquals(MatrixExpectations.expected(fault).orElseThrow(), documented.get(fault), fault);
            if (documented.get(fault).isEmpty() && !fault.equals(MatrixExpectations.BASELINE)) {
                assertTrue(why.get(fault).contains("nobody can"), fault + ": a nobody row says why: " + why.get(fault));
            }
        }
    }

    /** The rows of the table of "## 6." whose header starts {@code | fault | device |}, split into cells. */
    private static List<List<String>> tableRows() throws Exception {
        List<String> lines = Files.readAllLines(FIRMWARE_MD);
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("## 6. ")) {
                start = i;
            }
            if (start >= 0 && lines.get(i).startsWith("| fault | device |")) {
                start = i;
                break;
            }
        }
        assertTrue(start >= 0, "docs/FIRMWARE.md has a section 6 with the table");
        List<List<String>> rows = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String line = lines.get(i);
            if (line.startsWith("| `")) {
                String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
                assertEquals(2 + Layer.values().length, cells.length, line);
                rows.add(List.of(cells));
            } else if (!rows.isEmpty() && !line.startsWith("|")) {
                break;
            }
        }
        assertFalse(rows.isEmpty(), "a table in section 6");
        return rows;
    }
}
