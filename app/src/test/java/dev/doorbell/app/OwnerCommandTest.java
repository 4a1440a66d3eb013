package dev.doorbell.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.cli.Cli;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.ViewerDirectory;
import dev.doorbell.testing.LogCapture;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class OwnerCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void init_phraseFile_thenRecoverFromIt_byteIdenticalOwner() throws Exception {
        Path owner = dir.resolve("owner");
        Path phrase = dir.resolve("phrase.txt");

        assertEquals(0, run("owner", "init", "--out", owner.toString(), "--phrase-file", phrase.toString()), err());
        assertTrue(out.toString().contains("recovery phrase: written to " + phrase), out.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(phrase)));
        String words = Files.readString(phrase).strip();
        assertEquals(24, words.split(" ").length);
        assertFalse(out.toString().contains(words.split(" ")[0] + " " + words.split(" ")[1]), "phrase on stdout");

        Path recovered = dir.resolve("recovered");
        assertEquals(
                0, run("owner", "recover", "--out", recovered.toString(), "--phrase-file", phrase.toString()), err());
        for (String f : List.of(OwnerDirectory.SECRET_FILE, OwnerDirectory.PUBLIC_FILE)) {
            assertArrayEquals(Files.readAllBytes(owner.resolve(f)), Files.readAllBytes(recovered.resolve(f)), f);
        }
    }

    @Test
    void init_onTheTerminal_phraseShownThereOnlyAndNeverLogged() throws Exception {
        Path owner = dir.resolve("owner");
        StringWriter terminal = new StringWriter();
        OwnerCommand.Init init = new OwnerCommand.Init();
        init.terminal = new PrintWriter(terminal);
        int exit;
        List<String> logs;
        try (LogCapture capture = new LogCapture()) {
            CommandLine cli = Cli.configure(new CommandLine(init));
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err));
            exit = cli.execute("--out", owner.toString());
            logs = capture.lines();
        }
        assertEquals(0, exit, err());
        String phrase = String.join(
                " ",
                Pattern.compile("\\d+\\. (\\S+)")
                        .matcher(terminal.toString())
                        .results()
                        .map(m -> m.group(1))
                        .toList());
        assertEquals(24, phrase.split(" ").length, terminal.toString());
        String firstWords = phrase.substring(0, phrase.indexOf(' ', phrase.indexOf(' ') + 1));
        assertFalse(out.toString().contains(firstWords), out.toString());
        assertFalse(err.toString().contains(firstWords), err.toString());
        logs.forEach(l -> assertFalse(l.contains(firstWords), l));

        // The words shown on the terminal rebuild the same owner (given on stdin, as a person would paste them).
        OwnerCommand.Recover recover = new OwnerCommand.Recover();
        recover.stdin = new ByteArrayInputStream((phrase + "\n").getBytes(StandardCharsets.UTF_8));
        CommandLine cli = Cli.configure(new CommandLine(recover));
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        Path recovered = dir.resolve("recovered");
        assertEquals(0, cli.execute("--out", recovered.toString()), err());
        assertArrayEquals(
                Files.readAllBytes(owner.resolve(OwnerDirectory.PUBLIC_FILE)),
                Files.readAllBytes(recovered.resolve(OwnerDirectory.PUBLIC_FILE)));
    }

    @Test
    void init_noTerminalAndNoPhraseFile_exitTwoSayingWhat() {
        Path owner = dir.resolve("owner");
        OwnerCommand.Init init = new OwnerCommand.Init();
        init.terminal = null;
        CommandLine cli = Cli.configure(new CommandLine(init));
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("--out", owner.toString()));
        assertTrue(err().contains("give --phrase-file FILE"), err());
        assertFalse(Files.exists(owner), "nothing written");
    }

    @Test
    void init_nonEmptyOut_exitTwoOneLine() throws Exception {
        Path owner = Files.createDirectories(dir.resolve("owner"));
        Files.writeString(owner.resolve("x"), "x");
        assertEquals(
                2,
                run(
                        "owner",
                        "init",
                        "--out",
                        owner.toString(),
                        "--phrase-file",
                        dir.resolve("p").toString()));
        assertEquals(1, err().strip().lines().count(), err());
        assertTrue(err().startsWith("owner init: owner directory " + owner + " is not empty"), err());
        assertFalse(Files.exists(dir.resolve("p")));
    }

    @Test
    void recover_badPhrase_exitTwoNamingTheWordAndNothingWritten() throws Exception {
        Path phrase = Files.writeString(dir.resolve("p"), "abandon ".repeat(22) + "abandonn art\n");
        Path owner = dir.resolve("owner");
        assertEquals(2, run("owner", "recover", "--out", owner.toString(), "--phrase-file", phrase.toString()));
        assertTrue(err().contains("word 23 of the recovery phrase, 'abandonn'"), err());
        assertTrue(err().contains("did you mean 'abandon'?"), err());
        assertFalse(Files.exists(owner));
        Files.writeString(phrase, "abandon ".repeat(23) + "about\n");
        assertEquals(2, run("owner", "recover", "--out", owner.toString(), "--phrase-file", phrase.toString()));
        assertTrue(err().contains("checksum mismatch"), err());
        Files.writeString(phrase, "abandon ".repeat(12));
        assertEquals(2, run("owner", "recover", "--out", owner.toString(), "--phrase-file", phrase.toString()));
        assertTrue(err().contains("has 12 words; it must have 24"), err());
    }

    @Test
    void viewerNewAddListRemove_throughTheCommands() throws Exception {
        Path owner = dir.resolve("owner");
        assertEquals(
                0,
                run(
                        "owner",
                        "init",
                        "--out",
                        owner.toString(),
                        "--phrase-file",
                        dir.resolve("p").toString()));
        Path phone = dir.resolve("phone");
        assertEquals(0, run("owner", "viewer", "new", "--out", phone.toString(), "--name", "phone"), err());
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(phone.resolve(ViewerDirectory.KEY_FILE))));

        assertEquals(
                0,
                run(
                        "owner",
                        "viewer",
                        "add",
                        "--owner",
                        owner.toString(),
                        phone.resolve(ViewerDirectory.PUBLIC_FILE).toString(),
                        "--viewer-dir",
                        phone.toString()),
                err());
        assertTrue(out.toString().contains("viewer phone added"), out.toString());
        assertTrue(out.toString().contains("no paired devices"), out.toString());
        assertArrayEquals(
                Files.readAllBytes(owner.resolve(OwnerDirectory.PUBLIC_FILE)),
                Files.readAllBytes(phone.resolve(ViewerDirectory.OWNER_PUBLIC_FILE)));
        assertTrue(Files.exists(owner.resolve("viewers/phone.pub")));

        assertEquals(0, run("owner", "viewer", "list", "--owner", owner.toString()), err());
        assertTrue(out.toString().contains("phone"), out.toString());

        assertEquals(2, run("owner", "viewer", "remove", "--owner", owner.toString(), "--name", "owner"));
        assertTrue(err().contains("cannot be removed"), err());
        assertEquals(0, run("owner", "viewer", "remove", "--owner", owner.toString(), "--name", "phone"), err());
        assertFalse(Files.exists(owner.resolve("viewers/phone.pub")));
    }

    @Test
    void viewerNew_nameAgainstTheRule_exitTwo() {
        assertEquals(2, run("owner", "viewer", "new", "--out", dir.resolve("v").toString(), "--name", "Bad Name"));
        assertTrue(err().contains("'Bad Name'"), err());
        assertEquals(2, run("owner", "viewer", "new", "--out", dir.resolve("v").toString(), "--name", "owner"));
    }

    @Test
    void owner_withoutSubcommand_exitTwoListingThem() {
        assertEquals(2, run("owner"));
        assertTrue(err().contains("init, recover, pq, viewer, share"), err());
    }

    private String err() {
        return err.toString();
    }

    private int run(String... args) {
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }
}
