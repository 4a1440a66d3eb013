package dev.doorbell.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, with the protocol and format versions this build speaks. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {
            "doorbell " + (v == null ? "(development build)" : v),
            "wire protocol v1, clip format v1, store format v1",
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }
}
