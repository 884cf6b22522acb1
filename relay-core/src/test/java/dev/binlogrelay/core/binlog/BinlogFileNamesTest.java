package dev.binlogrelay.core.binlog;

import org.junit.jupiter.api.Test;

import static dev.binlogrelay.core.binlog.BinlogFileNames.laterInSeries;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinlogFileNamesTest {
    @Test
    void laterFilesOfTheSameSeries() {
        assertTrue(laterInSeries("binlog.000010", "binlog.000009"));
        assertTrue(laterInSeries("mariadb-bin.000010", "mariadb-bin.000009"));
        assertTrue(laterInSeries("binlog.1000000", "binlog.999999"), "past the zero padding");
    }

    @Test
    void notLater() {
        assertFalse(laterInSeries("binlog.000009", "binlog.000009"));
        assertFalse(laterInSeries("binlog.000008", "binlog.000009"));
        assertFalse(laterInSeries("mysql-bin.000010", "binlog.000009"), "another series");
        assertFalse(laterInSeries("binlog.latest", "binlog.000009"));
        assertFalse(laterInSeries("binlog.", "binlog.000009"));
        assertFalse(laterInSeries("binlog000010", "binlog.000009"), "no dot");
        assertFalse(laterInSeries("binlog.99999999999999999999", "binlog.000009"), "too long to be a file number");
    }
}
