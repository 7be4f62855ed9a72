package dev.costwise.planner.cli;

import dev.costwise.planner.report.HtmlReport;
import dev.costwise.planner.report.PlanReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Writes a report to stdout or a file, plus an optional HTML copy. */
final class ReportWriter {

    private ReportWriter() {
    }

    static void write(PlanReport report, OutputFormat format, Optional<Path> output, Optional<Path> html,
            PrintWriter out) {
        String text = format.render(report);
        try {
            if (output.isPresent()) {
                Files.writeString(output.get(), text, StandardCharsets.UTF_8);
                out.println("wrote " + format.name().toLowerCase(java.util.Locale.ROOT) + " report to " + output.get());
            } else {
                out.print(text);
            }
            if (html.isPresent()) {
                Files.writeString(html.get(), HtmlReport.render(report), StandardCharsets.UTF_8);
                out.println("wrote HTML report to " + html.get());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report: " + e.getMessage(), e);
        }
        out.flush();
    }
}
