package dev.binlogrelay.server.upstream;

import dev.binlogrelay.core.protocol.QueryResponseReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One step of an upstream session before its dump ({@link UpstreamConnection}): a command exchange (the payload to
 * send and what to do with the response packets), or a local action between exchanges ({@code command} null), run
 * when the steps before it are done. An optional step's failure is logged and the session goes on.
 */
record UpstreamStep(String description, Function<ChannelHandlerContext, ByteBuf> command,
                    Consumer<QueryResponseReader> onResult, boolean optional, boolean simpleOk, Runnable local,
                    Supplier<QueryResponseReader> readers) {
    UpstreamStep(String description, Function<ChannelHandlerContext, ByteBuf> command,
                 Consumer<QueryResponseReader> onResult, boolean optional, boolean simpleOk) {
        this(description, command, onResult, optional, simpleOk, null, QueryResponseReader::new);
    }

    static UpstreamStep local(String description, Runnable action) {
        return new UpstreamStep(description, null, null, false, false, action, null);
    }
}
