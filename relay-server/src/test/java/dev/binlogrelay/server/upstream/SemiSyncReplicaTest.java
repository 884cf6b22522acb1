package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.protocol.TextResultSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SemiSyncReplicaTest {
    private static TextResultSet variables(String... names) {
        return TextResultSet.of(List.of("Variable_name", "Value"),
                java.util.Arrays.stream(names).map(n -> List.of(n, "OFF")).toList());
    }

    /** Any row for the primary side's switch counts, ON or OFF (a primary can turn it on later), by either name. */
    @Test
    void aPrimaryWithEitherSwitchSupportsSemiSync() {
        assertTrue(SemiSyncReplica.primarySupports(variables("rpl_semi_sync_master_enabled", "rpl_semi_sync_slave_enabled")));
        assertTrue(SemiSyncReplica.primarySupports(variables("rpl_semi_sync_source_enabled"))); // MySQL 8.0.26+ plugin
        assertTrue(SemiSyncReplica.primarySupports(variables("RPL_SEMI_SYNC_MASTER_ENABLED")));
    }

    /** MySQL without the plugin loaded, or only the replica plugin: no semi-sync with it. */
    @Test
    void aPrimaryWithoutTheSwitchDoesNot() {
        assertFalse(SemiSyncReplica.primarySupports(variables()));
        assertFalse(SemiSyncReplica.primarySupports(variables("rpl_semi_sync_slave_enabled", "rpl_semi_sync_replica_enabled")));
    }
}
