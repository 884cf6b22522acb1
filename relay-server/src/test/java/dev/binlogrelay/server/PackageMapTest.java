package dev.binlogrelay.server;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay-server packages stand in data-flow order, with no arrow running back up and no cycle:
 * <pre>
 *   cli ─────► wiring (this package: Relay, StoreRelayInfo; and .wiring: each config section → its part's settings)
 *    │  │        │
 *    │  └────────┼──► config (the parsed and validated YAML; imports no relay part)
 *    └───────────┼──► importer
 *                ├──► upstream ───┐
 *                ├──► downstream ─┼──► relay-core, storage (upstream and downstream meet only in the store)
 *                │       └──► admin, metrics, memory
 *                ├──► retention
 *                ├──► canal (Canal clients; .entry: stored events → Canal entries)
 *                │       └──► schema, memory (the pending-write budget the dump and Canal paths both count with)
 *                ├──► schema (the schema history: table definitions at binlog positions, for row-change readers)
 *                └──► admin, metrics
 * </pre>
 * The modules stand in order too (relay-core, storage, relay-server: the build enforces it), and relay-core's
 * packages have no cycle. Two checks, because each sees what the other cannot: ArchUnit reads the bytecode (every
 * use, including fully qualified names), where javac has inlined constants; the sources' imports and qualified
 * names show the arrows made of inlined constants only.
 */
@AnalyzeClasses(packages = "dev.binlogrelay", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageMapTest {
    private static final String SERVER = "dev.binlogrelay.server";

    /** Which relay-server packages each may use ("" is the root package, Relay's, part of the wiring). */
    private static final Map<String, Set<String>> MAY_USE = Map.ofEntries(
            Map.entry("cli", Set.of("", "wiring", "config", "importer")),
            Map.entry("", Set.of("wiring", "config", "upstream", "downstream", "retention", "canal", "importer", "admin",
                    "metrics", "schema")),
            Map.entry("wiring", Set.of("config", "upstream", "downstream", "retention", "canal", "importer", "admin",
                    "metrics", "schema")),
            Map.entry("config", Set.of()),
            Map.entry("upstream", Set.of()),
            Map.entry("downstream", Set.of("admin", "metrics", "memory")),
            Map.entry("retention", Set.of()),
            Map.entry("canal", Set.of("schema", "memory")),
            Map.entry("memory", Set.of()),
            Map.entry("importer", Set.of()),
            Map.entry("schema", Set.of()),
            Map.entry("admin", Set.of()),
            Map.entry("metrics", Set.of()));

    @ArchTest
    static final ArchRule relayServerPackagesHaveNoCycle = slices().matching(SERVER + ".(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule relayCorePackagesHaveNoCycle = slices().matching("dev.binlogrelay.core.(*)..")
            .should().beFreeOfCycles();

    /** Every package of every module against every other (storage and storage.gtid, the root package and wiring too). */
    @ArchTest
    static final ArchRule noPackageCycleAnywhere = slices().matching("dev.binlogrelay.(**)")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule configImportsNoRelayPart = noClasses().that().resideInAPackage(SERVER + ".config..")
            .should().dependOnClassesThat().resideInAnyPackage(SERVER, SERVER + ".wiring..", SERVER + ".cli..",
                    SERVER + ".upstream..", SERVER + ".downstream..", SERVER + ".retention..", SERVER + ".canal..",
                    SERVER + ".importer..", SERVER + ".admin..", SERVER + ".metrics..", SERVER + ".schema..",
                    SERVER + ".memory..");

    @ArchTest
    static final ArchRule layersInDataFlowOrder = Architectures.layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("cli").definedBy(SERVER + ".cli..")
            .layer("wiring").definedBy(SERVER, SERVER + ".wiring..")
            .layer("config").definedBy(SERVER + ".config..")
            .layer("upstream").definedBy(SERVER + ".upstream..")
            .layer("downstream").definedBy(SERVER + ".downstream..")
            .layer("retention").definedBy(SERVER + ".retention..")
            .layer("canal").definedBy(SERVER + ".canal..")
            .layer("importer").definedBy(SERVER + ".importer..")
            .layer("schema").definedBy(SERVER + ".schema..")
            .layer("admin").definedBy(SERVER + ".admin..")
            .layer("metrics").definedBy(SERVER + ".metrics..")
            .layer("memory").definedBy(SERVER + ".memory..")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("wiring").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("config").mayOnlyBeAccessedByLayers("cli", "wiring")
            .whereLayer("upstream").mayOnlyBeAccessedByLayers("wiring")
            .whereLayer("downstream").mayOnlyBeAccessedByLayers("wiring")
            .whereLayer("retention").mayOnlyBeAccessedByLayers("wiring")
            .whereLayer("canal").mayOnlyBeAccessedByLayers("wiring")
            .whereLayer("importer").mayOnlyBeAccessedByLayers("cli", "wiring")
            .whereLayer("schema").mayOnlyBeAccessedByLayers("wiring", "canal")
            .whereLayer("admin").mayOnlyBeAccessedByLayers("wiring", "downstream")
            .whereLayer("metrics").mayOnlyBeAccessedByLayers("wiring", "downstream")
            .whereLayer("memory").mayOnlyBeAccessedByLayers("wiring", "downstream", "canal");

    private static final Pattern SERVER_NAME = Pattern.compile("\\bdev\\.binlogrelay\\.server\\.(?:([a-z]+)\\.)?[A-Z]");
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    /** Every relay-server package is in the map, and the main sources name no package their own may not use. */
    @Test
    void sourcesNameOnlyPackagesTheirOwnMayUse() throws IOException {
        Path root = Path.of("src/main/java/dev/binlogrelay/server");
        List<String> arrows = new ArrayList<>();
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String rel = root.relativize(f).toString().replace('\\', '/');
                String pkg = rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : "";
                packages.add(pkg);
                String code = COMMENT.matcher(Files.readString(f)).replaceAll(" ");
                Matcher m = SERVER_NAME.matcher(code);
                Set<String> used = new TreeSet<>();
                while (m.find()) {
                    used.add(m.group(1) == null ? "" : m.group(1));
                }
                used.remove(pkg);
                for (String target : used) {
                    String arrow = rel + " -> " + (target.isEmpty() ? "(root)" : target);
                    if (!MAY_USE.getOrDefault(pkg, Set.of()).contains(target)) {
                        arrows.add(arrow);
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(MAY_USE.keySet()), packages, "a new package needs its place in the map");
        assertTrue(arrows.isEmpty(), "arrows against the data flow (see the map above): " + arrows);
    }
}
