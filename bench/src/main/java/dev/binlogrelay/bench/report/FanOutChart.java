package dev.binlogrelay.bench.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws the fan-out chart with java.awt (headless): aggregate throughput against the number of readers on the
 * left, server CPU seconds per GB served on the right, relay and primary as two lines, readers on a log scale.
 */
public final class FanOutChart {
    private static final int PANEL_W = 560;
    private static final int H = 480;
    private static final int LEFT = 78;
    private static final int RIGHT = 22;
    private static final int TOP = 92;
    private static final int BOTTOM = 62;
    private static final Color RELAY = new Color(0x1f, 0x77, 0xb4);
    private static final Color PRIMARY = new Color(0xe4, 0x6c, 0x0a);
    private static final Color GRID = new Color(0xe0, 0xe0, 0xe0);

    private FanOutChart() {
    }

    public static void draw(List<PointSummary> points, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(2 * PANEL_W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, LEFT, 24);
            panel(g, 0, points, "aggregate throughput, MB/s (higher is better)", p -> p.relay().mbPerSecond(),
                    p -> p.primary().mbPerSecond());
            panel(g, PANEL_W, points, "server CPU seconds per GB served (lower is better)", p -> p.relay().cpuSecondsPerGb(),
                    p -> p.primary().cpuSecondsPerGb());
            legend(g, LEFT, 50);
        } finally {
            g.dispose();
        }
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }

    private static void panel(Graphics2D g, int x0, List<PointSummary> points, String label,
                              ToDoubleFunction<PointSummary> relay, ToDoubleFunction<PointSummary> primary) {
        int px = x0 + LEFT;
        int pw = PANEL_W - LEFT - RIGHT;
        int py = TOP;
        int ph = H - TOP - BOTTOM;
        double max = 0;
        for (PointSummary p : points) {
            max = Math.max(max, Math.max(finite(relay.applyAsDouble(p)), finite(primary.applyAsDouble(p))));
        }
        double step = niceStep(max <= 0 ? 1 : max / 5);
        double top = Math.max(step, Math.ceil(max / step) * step);
        double minLog = Math.log(points.stream().mapToInt(PointSummary::readers).min().orElse(1));
        double maxLog = Math.log(points.stream().mapToInt(PointSummary::readers).max().orElse(1));
        ToDoubleFunction<Integer> xOf = n -> maxLog == minLog ? px + pw / 2.0
                : px + 20 + (Math.log(n) - minLog) / (maxLog - minLog) * (pw - 40);
        ToDoubleFunction<Double> yOf = v -> py + ph - v / top * ph;

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double v = 0; v <= top + step / 2; v += step) {
            int y = (int) Math.round(yOf.applyAsDouble(v));
            g.setColor(GRID);
            g.drawLine(px, y, px + pw, y);
            g.setColor(Color.DARK_GRAY);
            String t = format(v, step);
            g.drawString(t, px - 8 - fm.stringWidth(t), y + fm.getAscent() / 2 - 1);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(px, py, pw, ph);
        for (PointSummary p : points) {
            int x = (int) Math.round(xOf.applyAsDouble(p.readers()));
            g.drawLine(x, py + ph, x, py + ph + 5);
            String t = Integer.toString(p.readers());
            g.drawString(t, x - fm.stringWidth(t) / 2, py + ph + 8 + fm.getAscent());
        }
        String xl = "readers (N, log scale), each dumping the whole binlog";
        g.drawString(xl, px + (pw - fm.stringWidth(xl)) / 2, H - 16);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString(label, px, py - 12);
        line(g, points, xOf, yOf, relay, RELAY);
        line(g, points, xOf, yOf, primary, PRIMARY);
    }

    private static void line(Graphics2D g, List<PointSummary> points, ToDoubleFunction<Integer> xOf,
                             ToDoubleFunction<Double> yOf, ToDoubleFunction<PointSummary> value, Color color) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2.5f));
        Path2D path = new Path2D.Double();
        boolean first = true;
        List<PointSummary> sorted = points.stream().sorted((a, b) -> Integer.compare(a.readers(), b.readers())).toList();
        for (PointSummary p : sorted) {
            double v = value.applyAsDouble(p);
            if (!Double.isFinite(v)) {
                continue;
            }
            double x = xOf.applyAsDouble(p.readers());
            double y = yOf.applyAsDouble(v);
            if (first) {
                path.moveTo(x, y);
                first = false;
            } else {
                path.lineTo(x, y);
            }
            g.fillOval((int) Math.round(x) - 4, (int) Math.round(y) - 4, 9, 9);
        }
        g.draw(path);
        g.setStroke(new BasicStroke(1f));
    }

    private static void legend(Graphics2D g, int x, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(RELAY);
        g.fillRect(x, y - 9, 22, 4);
        g.setColor(Color.BLACK);
        g.drawString("relay", x + 28, y - 3);
        g.setColor(PRIMARY);
        g.fillRect(x + 90, y - 9, 22, 4);
        g.setColor(Color.BLACK);
        g.drawString("MariaDB dump thread (direct)", x + 118, y - 3);
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
    }

    private static String format(double v, double step) {
        return step >= 1 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
