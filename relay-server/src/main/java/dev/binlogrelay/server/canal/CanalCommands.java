package dev.binlogrelay.server.canal;

import com.alibaba.otter.canal.protocol.CanalPacket;
import com.alibaba.otter.canal.protocol.CanalPacket.Packet;
import com.alibaba.otter.canal.protocol.CanalPacket.PacketType;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The requests of an authenticated Canal connection, as Canal's server answers them: subscribe and unsubscribe
 * get an ACK; get gets MESSAGES; ack and rollback get nothing. Runs on a {@link CanalClients} worker, one request
 * of a connection at a time.
 */
final class CanalCommands {
    /** An answer: the packet's bytes (the session's pipeline adds the length) and what it holds in the budget. */
    record Reply(ByteBuf frame, long counted) {
        static Reply of(Packet p) {
            return new Reply(Unpooled.wrappedBuffer(p.toByteArray()), 0);
        }
    }

    private final CanalClients clients;
    private final CanalSession session;

    CanalCommands(CanalClients clients, CanalSession session) {
        this.clients = clients;
        this.session = session;
    }

    /** The answer to {@code p} (completing with null when there is none), or a {@link CanalError}. */
    CompletableFuture<Reply> handle(Packet p) throws InvalidProtocolBufferException {
        switch (p.getType()) {
            case SUBSCRIPTION -> {
                CanalPacket.Sub sub = CanalPacket.Sub.parseFrom(p.getBody());
                named(sub.getDestination(), sub.getClientId(), "Sub", sub);
                subscribe(sub.getDestination(), clientId(sub.getClientId()), sub.getFilter());
                return CompletableFuture.completedFuture(Reply.of(CanalSession.ack()));
            }
            case UNSUBSCRIPTION -> {
                CanalPacket.Unsub unsub = CanalPacket.Unsub.parseFrom(p.getBody());
                named(unsub.getDestination(), unsub.getClientId(), "Unsub", unsub);
                String id = clientId(unsub.getClientId());
                clients.destination(unsub.getDestination());
                ClientStream s = stream(unsub.getDestination(), id, false);
                if (s != null) {
                    session.streams().remove(CanalClients.key(s.destination, id));
                    clients.unsubscribe(s);
                }
                return CompletableFuture.completedFuture(Reply.of(CanalSession.ack()));
            }
            case GET -> {
                CanalPacket.Get get = CanalPacket.Get.parseFrom(p.getBody());
                named(get.getDestination(), get.getClientId(), "Get", get);
                ClientStream s = stream(get.getDestination(), clientId(get.getClientId()), true);
                s.touch();
                int size = get.getFetchSize() <= 0 ? 1000 : get.getFetchSize();
                long timeout = get.getTimeout() == -1 ? -1 : get.getTimeout() <= 0 ? 0
                        : Math.max(1, unit(get.getUnit()).toNanos(get.getTimeout()));
                return s.get(new PendingGet(size, timeout)).thenApply(this::messages);
            }
            case CLIENTACK -> {
                CanalPacket.ClientAck ack = CanalPacket.ClientAck.parseFrom(p.getBody());
                named(ack.getDestination(), ack.getClientId(), "Ack", ack);
                if (ack.getBatchId() == 0) {
                    throw new CanalError(402, "batchId should assign value. Ack: " + oneLine(ack));
                }
                if (ack.getBatchId() != -1) { // -1: the get before found nothing
                    stream(ack.getDestination(), clientId(ack.getClientId()), true).ack(ack.getBatchId());
                }
                return CompletableFuture.completedFuture(null);
            }
            case CLIENTROLLBACK -> {
                CanalPacket.ClientRollback rb = CanalPacket.ClientRollback.parseFrom(p.getBody());
                named(rb.getDestination(), rb.getClientId(), "Rollback", rb);
                clients.destination(rb.getDestination());
                ClientStream s = stream(rb.getDestination(), clientId(rb.getClientId()), false);
                if (s != null) { // Canal ignores a rollback of a client not subscribed (its connect() sends one)
                    s.rollback(rb.getBatchId());
                }
                return CompletableFuture.completedFuture(null);
            }
            default -> throw new CanalError(400, "packet type: " + p.getType() + " is NOT supported!");
        }
    }

    /**
     * Get {@code p} whose wait for room in the budget ended first: Canal's checks of a get (named, subscribed) and
     * the client seen (retention's hold), then an empty batch.
     */
    CompletableFuture<Reply> emptyGet(Packet p) throws InvalidProtocolBufferException {
        CanalPacket.Get get = CanalPacket.Get.parseFrom(p.getBody());
        named(get.getDestination(), get.getClientId(), "Get", get);
        stream(get.getDestination(), clientId(get.getClientId()), true).touch();
        return CompletableFuture.completedFuture(Reply.of(emptyBatch()));
    }

    private void subscribe(String destination, String clientId, String filter) {
        if (!filter.isEmpty()) {
            try {
                CanalFilter.parse(filter);
            } catch (IllegalArgumentException e) {
                throw new CanalError(400, "bad filter: " + e.getMessage());
            }
        }
        String key = CanalClients.key(destination, clientId);
        ClientStream s = session.streams().get(key);
        if (s != null) {
            s.filter(filter);
            s.persist();
            return;
        }
        attach(destination, clientId, filter);
    }

    /**
     * This connection's stream of the client; attached from its stored cursor if it has one (Canal keeps
     * subscriptions across connections). Null, or Canal's error if {@code required}, for a client never subscribed.
     */
    private ClientStream stream(String destination, String clientId, boolean required) {
        ClientStream s = session.streams().get(CanalClients.key(destination, clientId));
        if (s != null) {
            return s;
        }
        clients.destination(destination);
        if (clients.known(destination, clientId)) {
            return attach(destination, clientId, null);
        }
        if (required) {
            throw new CanalError(400, "ClientIdentity:ClientIdentity[destination=" + destination + ",clientId=" + clientId
                    + ",filter=] should subscribe first");
        }
        return null;
    }

    private ClientStream attach(String destination, String clientId, String filter) {
        ClientStream s = clients.attach(session, destination, clientId, filter);
        session.streams().put(CanalClients.key(destination, clientId), s);
        if (session.isClosed()) { // the connection ended meanwhile
            session.streams().remove(CanalClients.key(destination, clientId));
            clients.detach(s);
            throw new CanalError(400, "connection closed");
        }
        return s;
    }

    private static void named(String destination, String clientId, String what, Object request) {
        if (destination.isEmpty() || clientId.isEmpty()) {
            throw new CanalError(401, "destination or clientId is null. " + what + ": " + oneLine(request));
        }
    }

    /** Canal's client ids are shorts. */
    /** The client id as Canal reads it (a short: "+1001" and "1001" are the same client), or Canal's error. */
    static String clientId(String text) {
        try {
            return Short.toString(Short.parseShort(text));
        } catch (NumberFormatException e) {
            throw new CanalError(400, "clientId '" + text + "' is not a number between -32768 and 32767");
        }
    }

    private static String oneLine(Object request) {
        return request.toString().replace('\n', ' ').trim();
    }

    static TimeUnit unit(int ordinal) {
        TimeUnit[] units = TimeUnit.values();
        return ordinal >= 0 && ordinal < units.length ? units[ordinal] : TimeUnit.MILLISECONDS;
    }

    /** Canal's answer to a get that found nothing in time: batch id -1, no entries. */
    static Packet emptyBatch() {
        return Packet.newBuilder().setType(PacketType.MESSAGES).setVersion(CanalSession.VERSION)
                .setBody(CanalPacket.Messages.newBuilder().setBatchId(-1).build().toByteString()).build();
    }

    /** The batch's MESSAGES packet, counted in the budget in place of its entries until written. */
    private Reply messages(PendingGet.Batched b) {
        ByteBuf frame;
        try {
            frame = messagesPacket(b.id(), b.entries());
        } catch (RuntimeException | Error e) {
            clients.budget().release(b.counted());
            throw e;
        }
        clients.budget().release(b.counted());
        clients.budget().reserve(frame.capacity());
        return new Reply(frame, frame.capacity());
    }

    /**
     * {@code Packet{version: 1, type: MESSAGES, body: Messages{batchId, messages: the entries}}} encoded in one
     * array of its exact size: the entries are copied once, where building the two messages and serializing them
     * copies them twice.
     */
    static ByteBuf messagesPacket(long batchId, List<ByteString> entries) {
        int body = CodedOutputStream.computeInt64Size(CanalPacket.Messages.BATCH_ID_FIELD_NUMBER, batchId);
        for (ByteString e : entries) {
            body += CodedOutputStream.computeBytesSize(CanalPacket.Messages.MESSAGES_FIELD_NUMBER, e);
        }
        int size = CodedOutputStream.computeInt32Size(Packet.VERSION_FIELD_NUMBER, CanalSession.VERSION)
                + CodedOutputStream.computeEnumSize(Packet.TYPE_FIELD_NUMBER, PacketType.MESSAGES_VALUE)
                + CodedOutputStream.computeTagSize(Packet.BODY_FIELD_NUMBER) + CodedOutputStream.computeUInt32SizeNoTag(body)
                + body;
        byte[] out = new byte[size];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            o.writeInt32(Packet.VERSION_FIELD_NUMBER, CanalSession.VERSION);
            o.writeEnum(Packet.TYPE_FIELD_NUMBER, PacketType.MESSAGES_VALUE);
            o.writeTag(Packet.BODY_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(body);
            o.writeInt64(CanalPacket.Messages.BATCH_ID_FIELD_NUMBER, batchId);
            for (ByteString e : entries) {
                o.writeBytes(CanalPacket.Messages.MESSAGES_FIELD_NUMBER, e);
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an array of the exact size: cannot happen
        }
        return Unpooled.wrappedBuffer(out);
    }
}
