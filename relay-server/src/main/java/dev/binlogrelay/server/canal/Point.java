package dev.binlogrelay.server.canal;

/**
 * Where a Canal client resumes: a transaction boundary (the end of a whole stored group, as binlog file and
 * position) and how many entries of the following group it already has ({@link ClientStream}).
 */
record Point(String file, long position, int skip) {
    @Override
    public String toString() {
        return file + ":" + position + (skip == 0 ? "" : " (+" + skip + " entries of the next transaction)");
    }
}
