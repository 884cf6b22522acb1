package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.protocol.CanalEntry;

import java.util.List;

/**
 * What a {@link ClientStream} reads entries from: one per stream, fed every stored event in order (the file's format
 * description first); {@link dev.binlogrelay.server.canal.entry.EntryStream#accept} in the relay.
 */
@FunctionalInterface
interface EntrySource {
    List<CanalEntry.Entry> accept(String file, long position, byte[] event);
}
