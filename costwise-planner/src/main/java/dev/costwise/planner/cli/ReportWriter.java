package dev.costwise.planner.cli;

import dev.costwise.planner.FileErrors;
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

    /**
     * @throws UncheckedIOException if a file cannot be written; its message names the file and the reason
     */
    static void write(PlanReport report, OutputFormat format, Optional<Path> output, Optional<Path> html,
            PrintWriter out) {
        String text = format.render(report);
        String name = format.name().toLowerCase(java.util.Locale.ROOT);
        if (output.isPresent()) {
            writeFile(output.get(), text, name);
            out.println("wrote " + name + " report to " + output.get());
        } else {
            out.print(text);
        }
        if (html.isPresent()) {
            writeFile(html.get(), HtmlReport.render(report), "HTML");
            out.println("wrote HTML report to " + html.get());
        }
        out.flush();
    }

    private static void writeFile(Path file, String text, String format) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the " + format + " report to " + file + ": "
                    + FileErrors.reason(e), e);
        }
    }
}
