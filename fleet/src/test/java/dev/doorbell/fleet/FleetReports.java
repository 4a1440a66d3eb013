package dev.doorbell.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A fleet report's report.json, parsed, for tests outside this package. */
public final class FleetReports {
    private FleetReports() {}

    public static Map<String, Object> json(Path reportDir) throws IOException {
        return Json.parseObject(Files.readString(reportDir.resolve("report.json")));
    }
}
