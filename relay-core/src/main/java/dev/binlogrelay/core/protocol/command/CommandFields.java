package dev.binlogrelay.core.protocol.command;

import dev.binlogrelay.core.protocol.Commands;
import dev.binlogrelay.core.protocol.ProtocolException;
import dev.binlogrelay.core.protocol.Wire;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/** Field readers and writers the command codecs share. */
final class CommandFields {
    private CommandFields() {
    }

    /** Reads the command byte and checks it is {@code expected}. */
    static void command(ByteBuf in, int expected) {
        Wire.need(in, 1, Commands.name(expected) + " command byte");
        int command = in.readUnsignedByte();
        if (command != expected) {
            throw new ProtocolException(Commands.name(command) + " where " + Commands.name(expected) + " was expected");
        }
    }

    /** A string of at most 255 bytes after its 1-byte length. */
    static String readShortString(ByteBuf in, String field) {
        Wire.need(in, 1, field + " length");
        int len = in.readUnsignedByte();
        return new String(Wire.readFixedBytes(in, len, field), StandardCharsets.UTF_8);
    }

    static void writeShortString(ByteBuf out, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        out.writeByte(b.length).writeBytes(b);
    }

    /** Refuses a string that a 1-byte length cannot announce. */
    static void checkShort(String value, String field) {
        int size = value.getBytes(StandardCharsets.UTF_8).length;
        if (size > 255) {
            throw new IllegalArgumentException(field + " of " + size + " bytes; at most 255 fit");
        }
    }
}
