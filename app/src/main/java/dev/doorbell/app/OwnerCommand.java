package dev.doorbell.app;

import dev.doorbell.cli.Cli;
import dev.doorbell.owner.ClipShares;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreMerge;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.owner.identity.IdentityException;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.owner.identity.PhraseFile;
import dev.doorbell.owner.identity.RecipientSet;
import dev.doorbell.owner.identity.RecoveryPhraseException;
import dev.doorbell.owner.identity.ShareFile;
import dev.doorbell.owner.identity.ViewerDirectory;
import dev.doorbell.seal.v2.Kem;
import dev.doorbell.seal.v2.KeyFiles;
import dev.doorbell.seal.v2.RecipientPublicKey;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code doorbell owner ...}: the owner's identity, viewers and shares, on the owner's (or a viewer's) machine. */
@Command(
        name = "owner",
        mixinStandardHelpOptions = true,
        subcommands = {
            OwnerCommand.Init.class,
            OwnerCommand.Recover.class,
            OwnerCommand.PostQuantum.class,
            OwnerCommand.Viewer.class,
            OwnerCommand.ShareClip.class,
            ForgetCommand.class
        },
        description = {
            "The owner's identity: the one secret behind the recovery phrase, viewers, and shares of single clips.",
            "",
            "Everything here runs on the owner's machine (or, for 'viewer new', the viewer's) and never talks to the"
                    + " uplink or a device: the lists it issues go to the uplink by the operator's hand"
                    + " ('scripts/uplink publish-recipients'), and pairing is 'doorbell pair'."
        })
public final class OwnerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "give a subcommand: " + String.join(", ", Cli.commandNames(spec)) + " ('doorbell owner --help')");
    }

    @Command(
            name = "init",
            mixinStandardHelpOptions = true,
            description = {
                "Makes a new owner: a 256-bit secret, the owner's signing key and own viewer key derived from it.",
                "",
                "Shows the 24-word recovery phrase once, on the terminal (never in a log); with --phrase-file it goes to"
                        + " that file (0600) instead, for scripts. The phrase is the only way to rebuild the owner's"
                        + " keys ('owner recover'): write it down and keep it apart from this machine."
            })
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "OWNER", description = "New or empty directory.")
        Path out;

        @Option(
                names = "--phrase-file",
                paramLabel = "FILE",
                description = "Write the phrase to FILE (0600, never over a file) instead of showing it.")
        Path phraseFile;

        @Option(
                names = "--pq",
                description = "Name the owner's own X-Wing viewer key (ML-KEM-768 and X25519, derived from the same"
                        + " secret) on every list instead of its X25519 one, so that clips whose recipients are all"
                        + " X-Wing stay closed to a future quantum computer. The Python client cannot open them.")
        boolean pq;

        /** Where the phrase is shown: the terminal, or null when there is none (a test gives its own). */
        PrintWriter terminal = consoleWriter();

        @Override
        public Integer call() {
            if (phraseFile == null && terminal == null) {
                throw new ParameterException(
                        spec.commandLine(),
                        "the recovery phrase is shown only on a terminal, and this is not one (output or input is"
                                + " redirected); give --phrase-file FILE");
            }
            if (phraseFile != null && Files.exists(phraseFile)) {
                throw new IdentityException(
                        "phrase file " + phraseFile + " exists; a recovery phrase is never" + " written over a file");
            }
            OwnerDirectory.Created created = OwnerDirectory.init(out, new SecureRandom(), pq ? Kem.X_WING : Kem.X25519);
            PrintWriter stdout = spec.commandLine().getOut();
            try {
                stdout.println("owner: " + out + "   (owner.secret 0600: keep it on this machine only; owner.pub is"
                        + " public)");
                stdout.println(ownerKeyLine(created.owner()));
                if (phraseFile != null) {
                    PhraseFile.write(phraseFile, created.phrase());
                    stdout.println("recovery phrase: written to " + phraseFile + " (0600); move it off this machine");
                } else {
                    terminal.println("recovery phrase (24 words; shown this once, write them down in order):");
                    terminal.println();
                    terminal.println(numbered(created.phrase()));
                    terminal.println();
                    terminal.flush();
                    stdout.println("recovery phrase: shown above on the terminal only; 'doorbell owner recover --out"
                            + " DIR' rebuilds the owner from it");
                }
                stdout.println("next: 'doorbell pair --owner " + out + " --devices-dir FLEET/devices'");
                stdout.flush();
                return 0;
            } finally {
                created.owner().destroy();
            }
        }

        /** Four lines of six numbered words, so that a word is not skipped or swapped when written down. */
        static String numbered(String phrase) {
            String[] words = phrase.split(" ");
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < words.length; i++) {
                text.append(String.format("%4d. %-9s", i + 1, words[i]));
                if (i % 6 == 5 && i + 1 < words.length) {
                    text.append('\n');
                }
            }
            return text.toString().stripTrailing();
        }

        private static PrintWriter consoleWriter() {
            Console console = System.console();
            return console == null ? null : console.writer();
        }
    }

    @Command(
            name = "recover",
            mixinStandardHelpOptions = true,
            description = {
                "Rebuilds an owner directory from the recovery phrase: owner.secret and owner.pub byte for byte.",
                "",
                "Reads the 24 words from --phrase-file, or from standard input (without echo on a terminal). Then copy"
                        + " back viewers/, devices/ and lists/ if you have them, or pair the devices again."
            })
    static final class Recover implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "OWNER", description = "New or empty directory.")
        Path out;

        @Option(names = "--phrase-file", paramLabel = "FILE", description = "Read the phrase from FILE.")
        Path phraseFile;

        @Option(
                names = "--pq",
                description =
                        "For an owner made with 'init --pq' (or switched with 'owner pq enable'): name the owner's own X-Wing viewer key (ML-KEM-768 and X25519, derived from the same"
                                + " secret) on the lists it issues, as before. Either way the owner opens clips wrapped to"
                                + " either key.")
        boolean pq;

        InputStream stdin = System.in;

        @Override
        public Integer call() throws IOException {
            String phrase = phraseFile != null ? PhraseFile.read(phraseFile) : readStdin();
            OwnerDirectory owner;
            try {
                owner = OwnerDirectory.recover(out, phrase, pq ? Kem.X_WING : Kem.X25519);
            } catch (RecoveryPhraseException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage() + "; nothing was written");
            }
            try {
                PrintWriter stdout = spec.commandLine().getOut();
                stdout.println("owner: " + out + " rebuilt from the recovery phrase (owner.secret, owner.pub,"
                        + " viewers/owner.pub)");
                stdout.println(ownerKeyLine(owner));
                stdout.println("copy back viewers/, devices/ and lists/ from a backup, or pair the devices again");
                stdout.flush();
                return 0;
            } finally {
                owner.destroy();
            }
        }

        private String readStdin() throws IOException {
            Console console = System.console();
            if (console != null && stdin == System.in) {
                char[] typed = console.readPassword("recovery phrase (24 words, not shown): ");
                if (typed == null) {
                    return "";
                }
                String phrase = new String(typed);
                Arrays.fill(typed, ' ');
                return phrase;
            }
            return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** "owner viewer key: x-wing (post-quantum)": which of its two keys the owner's lists name. */
    static String ownerKeyLine(OwnerDirectory owner) {
        return "owner viewer key on its lists: " + owner.listedKem().fileName()
                + (owner.listedKem() == Kem.X_WING
                        ? " (post-quantum; 'owner pq disable' goes back to x25519)"
                        : " (not post-quantum: every clip key is also wrapped with x25519; 'owner pq enable' changes"
                                + " that)");
    }

    @Command(
            name = "pq",
            mixinStandardHelpOptions = true,
            subcommands = {PostQuantum.Enable.class, PostQuantum.Disable.class},
            description = {
                "Which of the owner's own viewer keys its lists name: X25519, or X-Wing (post-quantum).",
                "",
                "Both keys are derived from the owner's secret and the owner opens clips wrapped to either. A clip is"
                        + " closed to a future quantum computer only when every recipient of its list is X-Wing:"
                        + " one X25519 wrap of its key is enough to open it."
            })
    static final class PostQuantum implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new ParameterException(
                    spec.commandLine(),
                    "give a subcommand: " + String.join(", ", Cli.commandNames(spec))
                            + " ('doorbell owner pq --help')");
        }

        @Command(
                name = "enable",
                mixinStandardHelpOptions = true,
                description = {
                    "Names the owner's own X-Wing key on its lists from now on: owner.pub says so, and a new list"
                            + " (version + 1) is issued for every paired device into OWNER/lists/.",
                    "",
                    "Publish the lists through the uplink ('scripts/uplink publish-recipients'); clips a device makes"
                            + " after it has the new list are wrapped to the X-Wing key. Earlier clips are not."
                })
        static final class Enable implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--owner", required = true, paramLabel = "OWNER", description = "The owner's directory.")
            Path ownerDir;

            @Override
            public Integer call() {
                return switchKem(spec, ownerDir, Kem.X_WING);
            }
        }

        @Command(
                name = "disable",
                mixinStandardHelpOptions = true,
                description = {
                    "Names the owner's own X25519 key on its lists again (for the Python client, which cannot open"
                            + " X-Wing wraps) and issues a new list (version + 1) for every paired device.",
                    "",
                    "Clips made after a device has the new list are no longer closed to a quantum computer."
                })
        static final class Disable implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--owner", required = true, paramLabel = "OWNER", description = "The owner's directory.")
            Path ownerDir;

            @Override
            public Integer call() {
                return switchKem(spec, ownerDir, Kem.X25519);
            }
        }

        private static int switchKem(CommandSpec spec, Path ownerDir, Kem kem) {
            OwnerDirectory owner = OwnerDirectory.load(ownerDir);
            try {
                PrintWriter stdout = spec.commandLine().getOut();
                if (!owner.useListedKem(kem)) {
                    stdout.println(ownerKeyLine(owner) + "; already so, no list issued");
                    stdout.flush();
                    return 0;
                }
                RecipientSet set = new RecipientSet(owner);
                List<RecipientSet.IssuedList> issued =
                        set.issueAll(Clock.systemUTC().millis());
                stdout.println(ownerKeyLine(owner));
                Viewer.printIssued(stdout, issued, ownerDir);
                stdout.println("next lists: " + RecipientSet.postQuantumSummary(set.recipients()));
                stdout.flush();
                return 0;
            } finally {
                owner.destroy();
            }
        }
    }

    @Command(
            name = "viewer",
            mixinStandardHelpOptions = true,
            subcommands = {Viewer.New.class, Viewer.Add.class, Viewer.Remove.class, Viewer.ListViewers.class},
            description =
                    "Viewers: a key pair made where the viewer lives, added to or removed from the owner's lists.")
    static final class Viewer implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new ParameterException(
                    spec.commandLine(),
                    "give a subcommand: " + String.join(", ", Cli.commandNames(spec))
                            + " ('doorbell owner viewer --help')");
        }

        @Command(
                name = "new",
                mixinStandardHelpOptions = true,
                description = {
                    "Makes a viewer's key pair, on the viewer's machine: VIEWER/viewer.key (0600) and VIEWER/viewer.pub.",
                    "",
                    "Give viewer.pub to the owner ('owner viewer add'); the viewer also needs the owner's owner.pub in"
                            + " VIEWER to open clips."
                })
        static final class New implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--out", required = true, paramLabel = "VIEWER", description = "New or empty directory.")
            Path out;

            @Option(names = "--name", required = true, paramLabel = "NAME", description = "The viewer's name.")
            String name;

            @Option(
                    names = "--pq",
                    description = "A hybrid post-quantum key (X-Wing: ML-KEM-768 and X25519) instead of X25519, so"
                            + " that clips wrapped to this viewer stay closed to a future quantum computer; its"
                            + " public key is 1216 bytes and each clip's header grows by about 1.1 KB for it.")
            boolean pq;

            @Override
            public Integer call() {
                Kem kem = pq ? Kem.X_WING : Kem.X25519;
                RecipientPublicKey key = ViewerDirectory.create(out, name, kem, new SecureRandom());
                PrintWriter stdout = spec.commandLine().getOut();
                stdout.println("viewer " + key.name() + " (" + kem.fileName() + "): " + out
                        + "   (viewer.key 0600 stays here; give " + out.resolve(ViewerDirectory.PUBLIC_FILE)
                        + " to the owner)");
                stdout.flush();
                return 0;
            }
        }

        @Command(
                name = "add",
                mixinStandardHelpOptions = true,
                description = {
                    "Adds a viewer and issues a new signed recipient list for every paired device into OWNER/lists/.",
                    "",
                    "Publish the lists through the uplink ('scripts/uplink publish-recipients --data DIR"
                            + " OWNER/lists/*.list'): clips a device makes after it has the new list open for the"
                            + " viewer; earlier clips do not."
                })
        static final class Add implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--owner", required = true, paramLabel = "OWNER", description = "The owner's directory.")
            Path ownerDir;

            @Parameters(index = "0", paramLabel = "VIEWER.pub", description = "The viewer's public key file.")
            Path viewerPublic;

            @Option(
                    names = "--viewer-dir",
                    paramLabel = "VIEWER",
                    description = "Also copy the owner's owner.pub into this viewer directory (on this machine).")
            Path viewerDir;

            @Override
            public Integer call() {
                OwnerDirectory owner = OwnerDirectory.load(ownerDir);
                try {
                    List<RecipientSet.IssuedList> issued = new RecipientSet(owner)
                            .add(viewerPublic, Clock.systemUTC().millis());
                    if (viewerDir != null) {
                        KeyFiles.writeOwnerPublic(
                                viewerDir.resolve(ViewerDirectory.OWNER_PUBLIC_FILE),
                                owner.ownerKey(),
                                owner.viewerKey().publicKey());
                    }
                    PrintWriter stdout = spec.commandLine().getOut();
                    stdout.println(
                            "viewer " + KeyFiles.readViewerPublic(viewerPublic).name() + " added");
                    printIssued(stdout, issued, ownerDir);
                    return 0;
                } finally {
                    owner.destroy();
                }
            }
        }

        @Command(
                name = "remove",
                mixinStandardHelpOptions = true,
                description = {
                    "Removes a viewer and issues a new signed recipient list for every paired device into OWNER/lists/.",
                    "",
                    "Clips a device makes after it has the new list do not open for the removed viewer. Clips it could"
                            + " open before stay open to it: it may have copied them, and their keys are wrapped to it."
                            + " The owner's own viewer ('owner') cannot be removed."
                })
        static final class Remove implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--owner", required = true, paramLabel = "OWNER", description = "The owner's directory.")
            Path ownerDir;

            @Option(names = "--name", required = true, paramLabel = "NAME", description = "The viewer to remove.")
            String name;

            @Override
            public Integer call() {
                OwnerDirectory owner = OwnerDirectory.load(ownerDir);
                try {
                    List<RecipientSet.IssuedList> issued = new RecipientSet(owner)
                            .remove(name, Clock.systemUTC().millis());
                    PrintWriter stdout = spec.commandLine().getOut();
                    stdout.println("viewer " + name + " removed (clips it could open before stay open to it)");
                    printIssued(stdout, issued, ownerDir);
                    return 0;
                } finally {
                    owner.destroy();
                }
            }
        }

        @Command(
                name = "list",
                mixinStandardHelpOptions = true,
                description = "Lists the recipients of the owner's next lists and the paired devices' list versions.")
        static final class ListViewers implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--owner", required = true, paramLabel = "OWNER", description = "The owner's directory.")
            Path ownerDir;

            @Override
            public Integer call() {
                OwnerDirectory owner = OwnerDirectory.load(ownerDir);
                try {
                    RecipientSet set = new RecipientSet(owner);
                    PrintWriter stdout = spec.commandLine().getOut();
                    List<RecipientPublicKey> next = set.recipients();
                    for (RecipientPublicKey r : next) {
                        stdout.printf(
                                "%-24s %-7s key id %s%n",
                                r.name(),
                                r.kemType().fileName(),
                                java.util.HexFormat.of().formatHex(r.keyId()));
                    }
                    // A quantum attacker opens a clip's key through any one X25519 wrap of it, the owner's included.
                    stdout.println(RecipientSet.postQuantumSummary(next));
                    List<String> devices = new ArrayList<>(owner.pairedDevices());
                    stdout.println(devices.size() + " paired devices");
                    for (String id : devices) {
                        stdout.printf(
                                "  %-22s list v%d, %s%n",
                                id, set.currentVersion(id), RecipientSet.postQuantumSummary(set.currentRecipients(id)));
                    }
                    stdout.flush();
                    return 0;
                } finally {
                    owner.destroy();
                }
            }
        }

        static void printIssued(PrintWriter stdout, List<RecipientSet.IssuedList> issued, Path ownerDir) {
            if (issued.isEmpty()) {
                stdout.println("no paired devices: no list issued (pairing issues each device's first list)");
            } else {
                long lowest = issued.stream()
                        .mapToLong(RecipientSet.IssuedList::version)
                        .min()
                        .orElse(0);
                long highest = issued.stream()
                        .mapToLong(RecipientSet.IssuedList::version)
                        .max()
                        .orElse(0);
                stdout.println("issued " + issued.size() + (issued.size() == 1 ? " list" : " lists") + " ("
                        + (lowest == highest ? "version " + lowest : "versions " + lowest + " to " + highest)
                        + ") in " + ownerDir.resolve(OwnerDirectory.LISTS) + "; publish them:"
                        + " scripts/uplink publish-recipients --data UPLINK_DATA "
                        + ownerDir.resolve(OwnerDirectory.LISTS) + "/*.list");
            }
            stdout.flush();
        }
    }

    @Command(
            name = "share",
            mixinStandardHelpOptions = true,
            description = {
                "Shares one clip with a third party: the clip's key wrapped again to their key, signed by the owner.",
                "",
                "The share opens that clip only ('doorbell open --share SHARE --identity THEIR_VIEWER_DIR'): not"
                        + " another clip, not an altered copy. The third party makes its key with 'owner viewer new'"
                        + " and gives its viewer.pub; it is not added to any list."
            })
    static final class ShareClip implements Callable<Integer> {
        private static final Pattern CLIP = Pattern.compile("([^/]+)/([0-9a-fA-F]{1,16})");

        @Spec
        CommandSpec spec;

        @Option(names = "--owner", required = true, paramLabel = "OWNER", description = "The owner's directory.")
        Path ownerDir;

        @Option(
                names = "--store",
                required = true,
                paramLabel = "DIR",
                description = "The uplink's store directory (repeat it for stores that share a port).")
        List<Path> stores;

        @Option(
                names = "--clip",
                required = true,
                paramLabel = "DEVICE/CLIP",
                description = "The clip: device id, '/', clip id in hex as 'open' lists it.")
        String clip;

        @Option(names = "--to", required = true, paramLabel = "PUBKEY", description = "The third party's viewer.pub.")
        Path to;

        @Option(names = "--out", required = true, paramLabel = "SHARE", description = "The share file to write.")
        Path out;

        @Override
        public Integer call() throws IOException {
            Matcher m = CLIP.matcher(clip);
            if (!m.matches()) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--clip '" + clip + "' is not DEVICE/CLIP (e.g. front-door/0000019a2b3c4d5e)");
            }
            if (Files.exists(out)) {
                throw new ParameterException(
                        spec.commandLine(), "--out " + out + " exists; a share is never written" + " over a file");
            }
            RecipientPublicKey recipient = KeyFiles.readViewerPublic(to);
            List<StoreSnapshot> read = new ArrayList<>();
            for (Path store : stores) {
                read.add(StoreDirectoryReader.read(store));
            }
            OwnerDirectory owner = OwnerDirectory.load(ownerDir);
            try {
                ShareFile share = ClipShares.share(
                        owner,
                        StoreMerge.merge(read),
                        m.group(1),
                        Long.parseUnsignedLong(m.group(2), 16),
                        recipient,
                        out,
                        Clock.systemUTC().millis(),
                        new SecureRandom());
                PrintWriter stdout = spec.commandLine().getOut();
                stdout.println("share of clip " + share.clipName() + " of " + share.deviceId() + " for "
                        + recipient.name() + ": " + out + " (0600; it opens this one clip: doorbell open --share "
                        + out + " --identity VIEWER_DIR --store DIR --out DIR)");
                stdout.flush();
                return 0;
            } finally {
                owner.destroy();
            }
        }
    }
}
